// moatctl: brings a Moat stack up and down, reports it, and manages settings.
#include <CLI/CLI.hpp>

#include "cli/check/check_command.h"
#include "cli/commands.h"

int main(int argc, char** argv) {
  using namespace moat::cli;
  CLI::App app{"moatctl: control a Moat stack (a Docker Engine behind Moat's guard and runtime)"};
  app.require_subcommand(1);
  StackOptions stack;
  const auto add_root = [&stack](CLI::App* cmd) {
    cmd->add_option("--root", stack.root, "keep the whole stack under this directory (tests, trials)");
  };
  bool as_json = false;

  auto* up = app.add_subcommand("up", "start the engine and the guard, and wait until they answer");
  add_root(up);
  up->add_option("--admin-settings", stack.admin_settings, "admin settings file")
      ->default_str("/etc/moat/admin-settings.json");
  auto* down = app.add_subcommand("down", "stop what up started; leave no process or mount behind");
  add_root(down);
  auto* status = app.add_subcommand("status", "report each component, ECI and the settings in force");
  add_root(status);
  status->add_flag("--json", as_json, "machine-readable output");

  auto* settings = app.add_subcommand("settings", "check, show and change settings");
  settings->require_subcommand(1);
  std::string file;
  auto* validate = settings->add_subcommand("validate", "print every problem of an admin settings file");
  validate->add_option("file", file, "admin-settings.json to check")->required();
  std::string key;
  std::string value;
  auto* set = settings->add_subcommand("set", "change a setting your administrator left unlocked");
  add_root(set);
  set->add_option("key", key, "setting, as listed by `settings show`")->required();
  set->add_option("value", value, "new value (JSON, or text for text settings)")->required();
  auto* show = settings->add_subcommand("show", "the settings in force, where each came from");
  add_root(show);
  show->add_flag("--json", as_json, "machine-readable output");

  auto* audit = app.add_subcommand("audit", "read and verify the tamper-evident audit log (others read their own records)");
  audit->require_subcommand(1);
  AuditQueryOptions query;
  auto* verify = audit->add_subcommand("verify", "check the hash chain and signed checkpoints; name the first bad record");
  add_root(verify);

  auto* audit_tail = audit->add_subcommand("tail", "the last records");
  add_root(audit_tail);
  std::size_t tail_count = 20;
  audit_tail->add_option("-n", tail_count, "how many (20)");
  audit_tail->add_option("--component", query.component, "only records of moatd or moat-runc");
  audit_tail->add_flag("--json", query.as_json, "one JSON record per line");
  auto* audit_query = audit->add_subcommand("query", "records matching every filter given");
  add_root(audit_query);
  audit_query->add_option("--since", query.since, "from this time (2026-11-30T10:00:00.000Z)");
  audit_query->add_option("--until", query.until, "before this time");
  audit_query->add_option("--uid", query.uid, "caller uid");
  audit_query->add_option("--rule", query.rule, "rule id");
  audit_query->add_option("--outcome", query.outcome, "allow, deny or error");
  audit_query->add_option("--container", query.container, "container id");
  audit_query->add_option("--component", query.component, "only records of moatd or moat-runc");
  audit_query->add_option("--limit", query.limit, "at most this many");
  audit_query->add_flag("--json", query.as_json, "one JSON record per line");

  // Code and settings verification: the signed manifest of Moat's installed
  // files, and signed admin settings.
  std::string manifest_bin_dir;
  auto* manifest = app.add_subcommand("manifest", "record Moat's installed code in a signed manifest (root)");
  manifest->require_subcommand(1);
  auto* manifest_write = manifest->add_subcommand(
      "write", "hash Moat's binaries, the engine's runc wrapper and the admin settings; sign with the stack's key");
  add_root(manifest_write);
  manifest_write->add_option("--bin-dir", manifest_bin_dir, "where moatctl, moatd and moat-runc are (beside moatctl)");
  manifest_write->add_option("--admin-settings", stack.admin_settings,
                             "admin settings file (the running stack's, else /etc/moat/admin-settings.json)");
  auto* code_verify = app.add_subcommand("verify", "check Moat's installed files against the signed manifest (root)");
  add_root(code_verify);
  code_verify->add_flag("--json", as_json, "machine-readable output");
  std::string signing_key;
  std::string settings_to_sign;
  auto* settings_sign = settings->add_subcommand("sign", "write FILE.sig, an Ed25519 signature of an admin settings file");
  settings_sign->add_option("--key", signing_key, "Ed25519 private key (PEM, mode 0600)")->required();
  settings_sign->add_option("file", settings_to_sign, "admin-settings.json to sign")->required();

  // Dry run of the policy on a docker command line, for admins writing it.
  CheckCommandOptions check_options;
  auto* check = add_check_command(app, stack, check_options);

  CLI11_PARSE(app, argc, argv);
  if (*check) return run_check(stack, check_options.as_user, check_options.docker_argv, check_options.as_json);
  if (*verify) return run_audit_verify(stack);
  if (*audit_tail) query.tail = tail_count;
  if (*audit_tail || *audit_query) return run_audit_query(stack, query);
  if (*manifest_write) return run_manifest_write(stack, manifest_bin_dir);
  if (*code_verify) return run_verify(stack, as_json);
  if (*settings_sign) return run_settings_sign(signing_key, settings_to_sign);
  if (*up) return run_up(stack);
  if (*down) return run_down(stack);
  if (*status) return run_status(stack, as_json);
  if (*validate) return run_settings_validate(file);
  if (*set) return run_settings_set(stack, key, value);
  if (*show) return run_settings_show(stack, as_json);
  return 2;
}

#include "cli/check/check_command.h"

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <iostream>
#include <optional>

#include "cli/check/docker_command_line.h"
#include "cli/check/go_values.h"
#include "core/policy/policy.h"
#include "core/policy/protected_paths.h"
#include "core/settings/settings_state.h"
#include "core/stack/layout.h"

namespace moat::cli {
namespace {

using nlohmann::json;

constexpr int kAllowed = 0;
constexpr int kRefused = 1;
constexpr int kNoDecision = 2;

// The caller as moatd sees a docker client: its uid and gid, its home for
// $HOME in filesharingAllowedDirectories, and the docker executable.
Result<core::policy::Caller> caller_for(const std::string& as_user) {
  core::policy::Caller caller;
  caller.executable = "/usr/bin/docker";
  struct passwd pw {};
  struct passwd* found = nullptr;
  std::string buffer(16384, '\0');
  if (as_user.empty()) {
    caller.uid = ::getuid();
    caller.gid = ::getgid();
    if (::getpwuid_r(caller.uid, &pw, buffer.data(), buffer.size(), &found) == 0 && found != nullptr) {
      caller.home = found->pw_dir;
    }
    return caller;
  }
  const auto uid = check::parse_decimal_int(as_user);
  if (uid && *uid >= 0 && *uid <= 0xFFFFFFFELL) {
    caller.uid = static_cast<uid_t>(*uid);
    if (::getpwuid_r(caller.uid, &pw, buffer.data(), buffer.size(), &found) == 0 && found != nullptr) {
      caller.gid = found->pw_gid;
      caller.home = found->pw_dir;
    } else {
      // A uid without an account: no home, so no $HOME share applies.
      caller.gid = caller.uid;
    }
    return caller;
  }
  if (::getpwnam_r(as_user.c_str(), &pw, buffer.data(), buffer.size(), &found) != 0 || found == nullptr) {
    return fail("--as-user " + as_user + ": no such user");
  }
  caller.uid = found->pw_uid;
  caller.gid = found->pw_gid;
  caller.home = found->pw_dir;
  return caller;
}

// ECI as moatd applies it: active when moatctl up installed moat-runc as the
// engine's runc, or, for a stack not started yet, when the settings ask for it.
bool eci_active(const core::stack::Layout& layout, const core::settings::EffectiveSettings& settings) {
  struct stat st {};
  if (::stat((layout.runtime_bin_dir() + "/runc").c_str(), &st) == 0 && S_ISREG(st.st_mode)) return true;
  const auto& requested = settings.value("enhancedContainerIsolation");
  return requested.is_boolean() && requested.get<bool>();
}

json query_json(const core::policy::ApiRequest& request) {
  json query = json::array();
  for (const auto& [key, value] : request.query) query.push_back(json::array({key, value}));
  return query;
}

void print_text(std::ostream& out, const core::policy::Decision& decision, const check::TranslatedRequest& translated) {
  const auto& request = translated.request;
  out << (decision.allowed ? "allowed" : "refused") << " (rule " << decision.rule << ")\n"
      << decision.message() << "\n"
      << "request: " << request.method << " " << check::request_target(request) << "\n";
  if (request.body) out << request.body->dump(2, ' ', false, json::error_handler_t::replace) << "\n";
  if (!translated.streamed_body.empty()) {
    out << "body: " << translated.streamed_body << ", streamed (the policy does not read it)\n";
  }
}

void print_json(std::ostream& out, const core::policy::Decision& decision, const check::TranslatedRequest& translated) {
  const auto& request = translated.request;
  const json report = {
      {"allowed", decision.allowed},
      {"rule", decision.rule},
      {"setting", decision.setting},
      {"reason", decision.reason},
      {"remedy", decision.remedy},
      {"request",
       {{"method", request.method},
        {"path", check::request_path(request)},
        {"query", query_json(request)},
        {"body", request.body ? *request.body : json(nullptr)}}},
  };
  out << report.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
}

}  // namespace

int run_check(const StackOptions& stack, const std::string& as_user, const std::vector<std::string>& docker_argv,
              bool as_json, const check::HostEnvironment& host, std::ostream& out, std::ostream& err) {
  const auto translated = check::translate_docker_command(docker_argv, host);
  if (!translated) {
    err << "moatctl check: " << translated.error().message << "\n";
    return kNoDecision;
  }
  const auto caller = caller_for(as_user);
  if (!caller) {
    err << "moatctl check: " << caller.error().message << "\n";
    return kNoDecision;
  }
  const auto layout = core::stack::make_layout(stack.root, stack.admin_settings);
  const auto state = core::settings::load_settings_state(layout.admin_settings, layout.user_settings(),
                                                         layout.admin_settings == core::stack::kDefaultAdminSettings);
  if (!state) {
    err << "moatctl check: the settings cannot be read, so nothing can be judged:\n";
    for (const auto& problem : state.error()) err << "  " << problem << "\n";
    return kNoDecision;
  }
  const auto effective = state->effective();
  const auto protected_paths = core::policy::protected_paths_for(layout);
  const core::policy::PolicyContext context{effective, *caller, protected_paths, eci_active(layout, effective),
                                            nullptr};
  const core::policy::Decision decision = core::policy::decide(translated->request, context);
  if (as_json) {
    print_json(out, decision, *translated);
  } else {
    print_text(out, decision, *translated);
  }
  return decision.allowed ? kAllowed : kRefused;
}

int run_check(const StackOptions& stack, const std::string& as_user, const std::vector<std::string>& docker_argv,
              bool as_json) {
  return run_check(stack, as_user, docker_argv, as_json, check::HostEnvironment::current(), std::cout, std::cerr);
}

CLI::App* add_check_command(CLI::App& app, StackOptions& stack, CheckCommandOptions& options) {
  auto* check = app.add_subcommand(
      "check", "judge a docker command as Moat would, without running it: moatctl check -- docker run ...");
  check->add_option("--root", stack.root, "the stack kept under this directory (tests, trials)");
  check->add_option("--admin-settings", stack.admin_settings, "admin settings file")
      ->default_str("/etc/moat/admin-settings.json");
  check->add_option("--as-user", options.as_user, "judge the request as this user (name or uid; default: you)");
  check->add_flag("--json", options.as_json, "machine-readable output");
  check->add_option("command", options.docker_argv, "the docker command line, after --")->required();
  return check;
}

}  // namespace moat::cli

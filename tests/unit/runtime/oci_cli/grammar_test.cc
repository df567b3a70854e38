#include "runtime/oci_cli/grammar.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace moat::runtime::oci_cli {
namespace {

using Args = std::vector<std::string>;

Invocation parse_ok(const Args& args) {
  auto inv = parse(args);
  EXPECT_TRUE(inv) << (inv ? "" : inv.error().message);
  return inv ? *inv : Invocation{};
}

std::string parse_error(const Args& args, int expected_exit = 1) {
  auto inv = parse(args);
  EXPECT_FALSE(inv);
  if (inv) {
    return "";
  }
  EXPECT_EQ(inv.error().exit_code, expected_exit);
  return inv.error().message;
}

TEST(OciCliGrammar, ParsesTheShimCreateCall) {
  const Args args{"--moat-state", "/run/moat",  "--moat-audit", "/run/moat/control.sock",
                  "--root",       "/run/docker/runtime-runc/moby",
                  "--log",        "/b/log.json", "--log-format", "json",
                  "--systemd-cgroup", "create",  "--bundle",     "/b",
                  "--pid-file",   "/b/init.pid", "--console-socket", "/tmp/pty.sock",
                  "abc123"};
  const Invocation inv = parse_ok(args);
  EXPECT_EQ(inv.moat.state_dir, "/run/moat");
  EXPECT_EQ(inv.moat.audit_socket, "/run/moat/control.sock");
  EXPECT_EQ(inv.global.root, "/run/docker/runtime-runc/moby");
  EXPECT_EQ(inv.global.log, "/b/log.json");
  EXPECT_EQ(inv.global.log_format, "json");
  EXPECT_TRUE(inv.global.systemd_cgroup);
  EXPECT_EQ(inv.command, Command::kCreate);
  EXPECT_EQ(inv.flag("bundle"), "/b");
  EXPECT_EQ(inv.flag("pid-file"), "/b/init.pid");
  EXPECT_EQ(inv.flag("console-socket"), "/tmp/pty.sock");
  EXPECT_EQ(inv.container_id(), "abc123");
  // runc gets everything but moat's own options, in the order given.
  const Args expected(args.begin() + 4, args.end());
  EXPECT_EQ(inv.runc_args, expected);
}

TEST(OciCliGrammar, DefaultsMatchRunc) {
  const Invocation inv = parse_ok({"state", "x"});
  EXPECT_EQ(inv.global.root, "/run/runc");
  EXPECT_EQ(inv.global.log_format, "text");
  EXPECT_EQ(inv.global.criu, "criu");
  EXPECT_EQ(inv.global.rootless, "auto");
  EXPECT_FALSE(inv.global.debug);
  EXPECT_TRUE(inv.moat.state_dir.empty());
  EXPECT_EQ(inv.command, Command::kState);
}

TEST(OciCliGrammar, AcceptsGoFlagSpellings) {
  const Invocation inv =
      parse_ok({"-root", "/r", "--log=/l", "-debug", "--moat-state=/s", "--moat-audit=/c", "delete", "-f", "id"});
  EXPECT_EQ(inv.global.root, "/r");
  EXPECT_EQ(inv.global.log, "/l");
  EXPECT_TRUE(inv.global.debug);
  EXPECT_EQ(inv.moat.state_dir, "/s");
  EXPECT_EQ(inv.moat.audit_socket, "/c");
  EXPECT_TRUE(inv.flag_bool("force"));
  EXPECT_EQ(inv.runc_args, (Args{"-root", "/r", "--log=/l", "-debug", "delete", "-f", "id"}));
}

// runc gets the words moat-runc parsed, whatever they look like: a global
// option's value is passed on even when it is empty or spelled like one of
// moat-runc's own options (both were read from their text before; the empty
// one ended moat-runc with an exception).
TEST(OciCliGrammar, PassesOnGlobalValuesByPositionNotBySpelling) {
  const Invocation empty_root = parse_ok({"--moat-state", "/m", "--root", "", "state", "id"});
  EXPECT_EQ(empty_root.global.root, "");
  EXPECT_EQ(empty_root.runc_args, (Args{"--root", "", "state", "id"}));

  const Invocation odd_root = parse_ok({"--root", "--moat-state", "create", "id"});
  EXPECT_EQ(odd_root.global.root, "--moat-state");
  EXPECT_EQ(odd_root.moat.state_dir, "");
  EXPECT_EQ(odd_root.command, Command::kCreate);
  EXPECT_EQ(odd_root.runc_args, (Args{"--root", "--moat-state", "create", "id"}));

  const Invocation own_value = parse_ok({"-moat-audit", "--root", "-moat-state=/m", "--", "delete", "id"});
  EXPECT_EQ(own_value.moat.audit_socket, "--root");
  EXPECT_EQ(own_value.runc_args, (Args{"--", "delete", "id"}));
}

TEST(OciCliGrammar, BooleanTakesValueOnlyAfterEquals) {
  EXPECT_TRUE(parse_ok({"delete", "--force=true", "x"}).flag_bool("force"));
  EXPECT_FALSE(parse_ok({"delete", "--force=0", "x"}).flag_bool("force"));
  EXPECT_EQ(parse_error({"delete", "--force=yes", "x"}),
            "invalid boolean value \"yes\" for -force: parse error");
  // Without '=', the next word is a positional argument.
  const Invocation inv = parse_ok({"delete", "--force", "false"});
  EXPECT_TRUE(inv.flag_bool("force"));
  EXPECT_EQ(inv.container_id(), "false");
}

TEST(OciCliGrammar, MovesTrailingFlagsFrontLikeUrfaveCli) {
  const Invocation del = parse_ok({"delete", "id1", "--force"});
  EXPECT_TRUE(del.flag_bool("force"));
  EXPECT_EQ(del.positionals, (Args{"id1"}));
  const Invocation kill = parse_ok({"kill", "id1", "9", "--all"});
  EXPECT_TRUE(kill.flag_bool("all"));
  EXPECT_EQ(kill.positionals, (Args{"id1", "9"}));
  const Invocation create = parse_ok({"create", "id1", "--bundle", "/b"});
  EXPECT_EQ(create.flag("bundle"), "/b");
  EXPECT_EQ(create.positionals, (Args{"id1"}));
}

TEST(OciCliGrammar, ExecKeepsTheContainerCommandsFlags) {
  const Invocation inv =
      parse_ok({"exec", "--process", "/tmp/p.json", "--detach", "--pid-file", "/p", "id1", "--",
                "ls", "-l"});
  EXPECT_EQ(inv.command, Command::kExec);
  EXPECT_EQ(inv.flag("process"), "/tmp/p.json");
  EXPECT_TRUE(inv.flag_bool("detach"));
  EXPECT_EQ(inv.positionals, (Args{"id1", "--", "ls", "-l"}));
  const Invocation bare = parse_ok({"exec", "-t", "id1", "sh", "-c", "x"});
  EXPECT_TRUE(bare.flag_bool("tty"));
  EXPECT_EQ(bare.positionals, (Args{"id1", "sh", "-c", "x"}));
}

TEST(OciCliGrammar, RepeatableFlagsKeepEveryValue) {
  const Invocation inv = parse_ok({"exec", "-e", "A=1", "--env=B=2", "--cap", "CAP_KILL", "id",
                                   "true"});
  EXPECT_EQ(inv.flag_values("env"), (Args{"A=1", "B=2"}));
  EXPECT_EQ(inv.flag_values("cap"), (Args{"CAP_KILL"}));
}

TEST(OciCliGrammar, DoubleDashEndsFlags) {
  // Go's flag package consumes the "--" itself.
  const Invocation inv = parse_ok({"delete", "--", "--force"});
  EXPECT_FALSE(inv.flag_bool("force"));
  EXPECT_EQ(inv.positionals, (Args{"--force"}));
}

TEST(OciCliGrammar, RefusesUnknownFlagsAndCommands) {
  EXPECT_EQ(parse_error({"--bogus", "list"}), "flag provided but not defined: -bogus");
  EXPECT_EQ(parse_error({"delete", "--nope", "x"}), "flag provided but not defined: -nope");
  EXPECT_EQ(parse_error({"unknowncmd"}, 3), "No help topic for 'unknowncmd'");
  EXPECT_EQ(parse_error({"create", "--bundle"}), "flag needs an argument: -bundle");
  EXPECT_EQ(parse_error({"create", "--preserve-fds", "-1", "x"}),
            "invalid value \"-1\" for flag -preserve-fds: parse error");
  EXPECT_EQ(parse_error({"events", "--interval", "5x", "x"}),
            "invalid value \"5x\" for flag -interval: parse error");
  EXPECT_EQ(parse_error({"---root", "x"}), "bad flag syntax: ---root");
}

TEST(OciCliGrammar, AcceptsDurationsAndIntegers) {
  EXPECT_EQ(parse_ok({"events", "--interval", "1m30s", "x"}).flag("interval"), "1m30s");
  EXPECT_EQ(parse_ok({"events", "--interval=250ms", "x"}).flag("interval"), "250ms");
  EXPECT_EQ(parse_ok({"exec", "--preserve-fds", "-2", "x", "true"}).flag("preserve-fds"), "-2");
  EXPECT_EQ(parse_ok({"update", "--pids-limit", "100", "x"}).flag("pids-limit"), "100");
}

TEST(OciCliGrammar, GlobalOnlyInvocations) {
  const Invocation version = parse_ok({"--moat-state", "/s", "--version"});
  EXPECT_EQ(version.command, Command::kNone);
  EXPECT_TRUE(version.global.version);
  EXPECT_EQ(version.runc_args, (Args{"--version"}));
  EXPECT_TRUE(parse_ok({"-v"}).global.version);
  EXPECT_TRUE(parse_ok({"-h"}).global.help);
}

TEST(OciCliGrammar, KnowsEveryRunc115Command) {
  const std::vector<std::pair<std::string, Command>> names{
      {"checkpoint", Command::kCheckpoint}, {"create", Command::kCreate},
      {"delete", Command::kDelete},         {"events", Command::kEvents},
      {"exec", Command::kExec},             {"features", Command::kFeatures},
      {"help", Command::kHelp},             {"h", Command::kHelp},
      {"init", Command::kInit},             {"kill", Command::kKill},
      {"list", Command::kList},             {"pause", Command::kPause},
      {"ps", Command::kPs},                 {"restore", Command::kRestore},
      {"resume", Command::kResume},         {"run", Command::kRun},
      {"spec", Command::kSpec},             {"start", Command::kStart},
      {"state", Command::kState},           {"update", Command::kUpdate}};
  for (const auto& [name, command] : names) {
    EXPECT_EQ(parse_ok({name}).command, command) << name;
  }
  EXPECT_EQ(command_name(Command::kList), "list");
}

TEST(OciCliGrammar, CommandFlagTablesMatchRuncHelp) {
  const auto names = [](Command c) {
    std::vector<std::string> out;
    for (const FlagSpec& f : command_flags(c)) {
      out.emplace_back(f.name);
    }
    return out;
  };
  EXPECT_EQ(names(Command::kCreate),
            (Args{"bundle", "console-socket", "pid-file", "no-pivot", "no-new-keyring",
                  "preserve-fds", "help"}));
  EXPECT_EQ(names(Command::kDelete), (Args{"force", "help"}));
  EXPECT_EQ(names(Command::kKill), (Args{"all", "help"}));
  EXPECT_EQ(names(Command::kStart), (Args{"help"}));
  EXPECT_EQ(command_flags(Command::kExec).size(), 17U);
}

TEST(OciCliGrammar, PsPassesItsOptionsThrough) {
  const Invocation inv = parse_ok({"ps", "--format", "json", "id", "-ef"});
  EXPECT_EQ(inv.flag("format"), "json");
  EXPECT_EQ(inv.positionals, (Args{"id", "-ef"}));
}

}  // namespace
}  // namespace moat::runtime::oci_cli

#pragma once
// The command-line grammar of runc 1.1.5, as containerd-shim and people call
// it, plus moat-runc's own global options. Parsing only: no behaviour.
//
// runc parses with urfave/cli v1 on top of Go's flag package, which differs
// from GNU getopt (and so from CLI11): a long flag may be written with one or
// two dashes (`-root x`, `--root=x`), booleans take a value only after `=`,
// and flags written after the positional arguments are moved in front of them
// except for `exec` and `ps`, whose trailing words belong to the command run
// in the container. That is why this parser is written by hand.

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result/result.h"

namespace moat::runtime::oci_cli {

enum class Command {
  kNone,  // only global options (e.g. --version, --help)
  kCheckpoint,
  kCreate,
  kDelete,
  kEvents,
  kExec,
  kFeatures,
  kHelp,
  kInit,
  kKill,
  kList,
  kPause,
  kPs,
  kRestore,
  kResume,
  kRun,
  kSpec,
  kStart,
  kState,
  kUpdate,
};

std::string_view command_name(Command command);

enum class FlagKind { kBool, kString, kStringSlice, kInt, kUint, kDuration };

struct FlagSpec {
  std::string_view name;   // long name, without dashes
  std::string_view alias;  // one-letter or second name, may be empty
  FlagKind kind;
};

// One flag as given: canonical long name and its value ("true"/"false" for
// booleans).
struct FlagValue {
  std::string name;
  std::string value;
};

struct GlobalOptions {
  bool debug = false;
  std::string log;                  // empty: stderr
  std::string log_format = "text";  // "text" or "json"
  std::string root = "/run/runc";
  std::string criu = "criu";
  bool systemd_cgroup = false;
  std::string rootless = "auto";
  bool help = false;
  bool version = false;
};

// moat-runc's own global options; they come first (dockerd's runtimeArgs)
// and are never passed on to runc.
struct MoatOptions {
  std::string state_dir;     // --moat-state DIR
  std::string audit_socket;  // --moat-audit SOCKET: moatd's control socket
};

struct Invocation {
  MoatOptions moat;
  GlobalOptions global;
  Command command = Command::kNone;
  std::vector<FlagValue> flags;         // command flags in the order given
  std::vector<std::string> positionals; // after flags were taken out
  std::vector<std::string> runc_args;   // arguments for runc: all but moat's own

  // Last value given for a command flag (by long name).
  std::optional<std::string> flag(std::string_view name) const;
  // Every value given for a repeatable flag.
  std::vector<std::string> flag_values(std::string_view name) const;
  bool flag_bool(std::string_view name) const;
  // First positional argument, the container id for most commands.
  std::optional<std::string> container_id() const;
};

struct CliError {
  std::string message;
  int exit_code = 1;  // runc: 1 for a flag error, 3 for an unknown command
};

// args excludes argv[0].
Result<Invocation, CliError> parse(std::span<const std::string> args);

// Flags runc 1.1.5 accepts for a command, for tests and help.
std::span<const FlagSpec> command_flags(Command command);

}  // namespace moat::runtime::oci_cli

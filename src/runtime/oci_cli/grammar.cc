#include "runtime/oci_cli/grammar.h"

#include <algorithm>
#include <array>
#include <charconv>

namespace moat::runtime::oci_cli {
namespace {

using K = FlagKind;

// Tables follow `runc <command> --help` of runc 1.1.5. Every command also
// takes --help/-h from urfave/cli.
constexpr FlagSpec kHelp{"help", "h", K::kBool};

constexpr std::array kCreateFlags{
    FlagSpec{"bundle", "b", K::kString},      FlagSpec{"console-socket", "", K::kString},
    FlagSpec{"pid-file", "", K::kString},     FlagSpec{"no-pivot", "", K::kBool},
    FlagSpec{"no-new-keyring", "", K::kBool}, FlagSpec{"preserve-fds", "", K::kUint},
    kHelp};

constexpr std::array kRunFlags{
    FlagSpec{"bundle", "b", K::kString},      FlagSpec{"console-socket", "", K::kString},
    FlagSpec{"detach", "d", K::kBool},        FlagSpec{"keep", "", K::kBool},
    FlagSpec{"pid-file", "", K::kString},     FlagSpec{"no-subreaper", "", K::kBool},
    FlagSpec{"no-pivot", "", K::kBool},       FlagSpec{"no-new-keyring", "", K::kBool},
    FlagSpec{"preserve-fds", "", K::kUint},   kHelp};

constexpr std::array kDeleteFlags{FlagSpec{"force", "f", K::kBool}, kHelp};
constexpr std::array kKillFlags{FlagSpec{"all", "a", K::kBool}, kHelp};
constexpr std::array kEventsFlags{FlagSpec{"interval", "", K::kDuration},
                                  FlagSpec{"stats", "", K::kBool}, kHelp};

constexpr std::array kExecFlags{
    FlagSpec{"console-socket", "", K::kString}, FlagSpec{"cwd", "", K::kString},
    FlagSpec{"env", "e", K::kStringSlice},      FlagSpec{"tty", "t", K::kBool},
    FlagSpec{"user", "u", K::kString},          FlagSpec{"additional-gids", "g", K::kStringSlice},
    FlagSpec{"process", "p", K::kString},       FlagSpec{"detach", "d", K::kBool},
    FlagSpec{"pid-file", "", K::kString},       FlagSpec{"process-label", "", K::kString},
    FlagSpec{"apparmor", "", K::kString},       FlagSpec{"no-new-privs", "", K::kBool},
    FlagSpec{"cap", "c", K::kStringSlice},      FlagSpec{"preserve-fds", "", K::kInt},
    FlagSpec{"cgroup", "", K::kStringSlice},    FlagSpec{"ignore-paused", "", K::kBool},
    kHelp};

constexpr std::array kListFlags{FlagSpec{"format", "f", K::kString},
                                FlagSpec{"quiet", "q", K::kBool}, kHelp};
constexpr std::array kPsFlags{FlagSpec{"format", "f", K::kString}, kHelp};
constexpr std::array kSpecFlags{FlagSpec{"bundle", "b", K::kString},
                                FlagSpec{"rootless", "", K::kBool}, kHelp};
constexpr std::array kOnlyHelp{kHelp};

constexpr std::array kUpdateFlags{
    FlagSpec{"resources", "r", K::kString},        FlagSpec{"blkio-weight", "", K::kUint},
    FlagSpec{"cpu-period", "", K::kString},        FlagSpec{"cpu-quota", "", K::kString},
    FlagSpec{"cpu-share", "", K::kString},         FlagSpec{"cpu-rt-period", "", K::kString},
    FlagSpec{"cpu-rt-runtime", "", K::kString},    FlagSpec{"cpuset-cpus", "", K::kString},
    FlagSpec{"cpuset-mems", "", K::kString},       FlagSpec{"kernel-memory", "", K::kString},
    FlagSpec{"kernel-memory-tcp", "", K::kString}, FlagSpec{"memory", "", K::kString},
    FlagSpec{"memory-reservation", "", K::kString}, FlagSpec{"memory-swap", "", K::kString},
    FlagSpec{"pids-limit", "", K::kInt},           FlagSpec{"l3-cache-schema", "", K::kString},
    FlagSpec{"mem-bw-schema", "", K::kString},     kHelp};

constexpr std::array kCheckpointFlags{
    FlagSpec{"image-path", "", K::kString},    FlagSpec{"work-path", "", K::kString},
    FlagSpec{"parent-path", "", K::kString},   FlagSpec{"leave-running", "", K::kBool},
    FlagSpec{"tcp-established", "", K::kBool}, FlagSpec{"ext-unix-sk", "", K::kBool},
    FlagSpec{"shell-job", "", K::kBool},       FlagSpec{"lazy-pages", "", K::kBool},
    FlagSpec{"status-fd", "", K::kString},     FlagSpec{"page-server", "", K::kString},
    FlagSpec{"file-locks", "", K::kBool},      FlagSpec{"pre-dump", "", K::kBool},
    FlagSpec{"manage-cgroups-mode", "", K::kString}, FlagSpec{"empty-ns", "", K::kStringSlice},
    FlagSpec{"auto-dedup", "", K::kBool},      kHelp};

constexpr std::array kRestoreFlags{
    FlagSpec{"console-socket", "", K::kString},    FlagSpec{"image-path", "", K::kString},
    FlagSpec{"work-path", "", K::kString},         FlagSpec{"tcp-established", "", K::kBool},
    FlagSpec{"ext-unix-sk", "", K::kBool},         FlagSpec{"shell-job", "", K::kBool},
    FlagSpec{"file-locks", "", K::kBool},          FlagSpec{"manage-cgroups-mode", "", K::kString},
    FlagSpec{"bundle", "b", K::kString},           FlagSpec{"detach", "d", K::kBool},
    FlagSpec{"pid-file", "", K::kString},          FlagSpec{"no-subreaper", "", K::kBool},
    FlagSpec{"no-pivot", "", K::kBool},            FlagSpec{"empty-ns", "", K::kStringSlice},
    FlagSpec{"auto-dedup", "", K::kBool},          FlagSpec{"lazy-pages", "", K::kBool},
    FlagSpec{"lsm-profile", "", K::kString},       FlagSpec{"lsm-mount-context", "", K::kString},
    kHelp};

constexpr std::array kGlobalFlags{
    FlagSpec{"debug", "", K::kBool},          FlagSpec{"log", "", K::kString},
    FlagSpec{"log-format", "", K::kString},   FlagSpec{"root", "", K::kString},
    FlagSpec{"criu", "", K::kString},         FlagSpec{"systemd-cgroup", "", K::kBool},
    FlagSpec{"rootless", "", K::kString},     FlagSpec{"help", "h", K::kBool},
    FlagSpec{"version", "v", K::kBool},       FlagSpec{"moat-state", "", K::kString},
    FlagSpec{"moat-audit", "", K::kString}};

struct CommandName {
  std::string_view name;
  Command command;
};

constexpr std::array kCommands{
    CommandName{"checkpoint", Command::kCheckpoint}, CommandName{"create", Command::kCreate},
    CommandName{"delete", Command::kDelete},         CommandName{"events", Command::kEvents},
    CommandName{"exec", Command::kExec},             CommandName{"features", Command::kFeatures},
    CommandName{"help", Command::kHelp},             CommandName{"h", Command::kHelp},
    CommandName{"init", Command::kInit},             CommandName{"kill", Command::kKill},
    CommandName{"list", Command::kList},             CommandName{"pause", Command::kPause},
    CommandName{"ps", Command::kPs},                 CommandName{"restore", Command::kRestore},
    CommandName{"resume", Command::kResume},         CommandName{"run", Command::kRun},
    CommandName{"spec", Command::kSpec},             CommandName{"start", Command::kStart},
    CommandName{"state", Command::kState},           CommandName{"update", Command::kUpdate},
};

const FlagSpec* find_flag(std::span<const FlagSpec> flags, std::string_view name) {
  for (const FlagSpec& f : flags) {
    if (f.name == name || (!f.alias.empty() && f.alias == name)) {
      return &f;
    }
  }
  return nullptr;
}

// Go's strconv.ParseBool.
std::optional<bool> parse_go_bool(std::string_view v) {
  if (v == "1" || v == "t" || v == "T" || v == "true" || v == "TRUE" || v == "True") {
    return true;
  }
  if (v == "0" || v == "f" || v == "F" || v == "false" || v == "FALSE" || v == "False") {
    return false;
  }
  return std::nullopt;
}

bool is_integer(std::string_view v, bool allow_sign) {
  if (allow_sign && !v.empty() && (v.front() == '-' || v.front() == '+')) {
    v.remove_prefix(1);
  }
  return !v.empty() && std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Go's time.ParseDuration, reduced to what matters here: a sequence of
// decimal numbers, each with a unit.
bool is_go_duration(std::string_view v) {
  if (!v.empty() && (v.front() == '-' || v.front() == '+')) {
    v.remove_prefix(1);
  }
  if (v == "0") {
    return true;
  }
  if (v.empty()) {
    return false;
  }
  while (!v.empty()) {
    std::size_t digits = 0;
    while (digits < v.size() && ((v[digits] >= '0' && v[digits] <= '9') || v[digits] == '.')) {
      ++digits;
    }
    if (digits == 0) {
      return false;
    }
    v.remove_prefix(digits);
    bool matched = false;
    // Longest unit first so "ms" is not read as "m" then "s".
    constexpr std::array<std::string_view, 7> kUnits{"ns", "us", "µs", "ms", "s", "m", "h"};
    for (std::string_view unit : kUnits) {
      if (v.substr(0, unit.size()) == unit) {
        v.remove_prefix(unit.size());
        matched = true;
        break;
      }
    }
    if (!matched) {
      return false;
    }
  }
  return true;
}

// Result of reading a flag set the way Go's flag.FlagSet.Parse does.
struct FlagSetParse {
  std::vector<FlagValue> flags;
  std::vector<std::size_t> words;  // how many arguments each flag took (1 or 2)
  std::vector<std::string> rest;   // from the first non-flag argument on
};

Result<FlagSetParse, CliError> parse_flag_set(std::span<const FlagSpec> specs,
                                              std::span<const std::string> args) {
  FlagSetParse out;
  std::size_t i = 0;
  for (; i < args.size(); ++i) {
    const std::size_t first_word = i;
    const std::string& arg = args[i];
    if (arg.size() < 2 || arg[0] != '-') {
      break;  // positional (including "-")
    }
    std::string_view body(arg);
    body.remove_prefix(1);
    if (body.front() == '-') {
      body.remove_prefix(1);
      if (body.empty()) {
        ++i;  // "--" ends the flags and is consumed
        break;
      }
    }
    if (body.empty() || body.front() == '-' || body.front() == '=') {
      return unexpected(CliError{"bad flag syntax: " + arg, 1});
    }
    std::string_view name = body;
    std::optional<std::string> inline_value;
    if (const auto eq = body.find('='); eq != std::string_view::npos) {
      name = body.substr(0, eq);
      inline_value = std::string(body.substr(eq + 1));
    }
    const FlagSpec* spec = find_flag(specs, name);
    if (spec == nullptr) {
      return unexpected(CliError{"flag provided but not defined: -" + std::string(name), 1});
    }
    std::string value;
    if (spec->kind == FlagKind::kBool) {
      if (inline_value) {
        const auto b = parse_go_bool(*inline_value);
        if (!b) {
          return unexpected(CliError{"invalid boolean value \"" + *inline_value + "\" for -" +
                                         std::string(name) + ": parse error",
                                     1});
        }
        value = *b ? "true" : "false";
      } else {
        value = "true";
      }
    } else {
      if (inline_value) {
        value = *inline_value;
      } else if (i + 1 < args.size()) {
        value = args[++i];
      } else {
        return unexpected(CliError{"flag needs an argument: -" + std::string(name), 1});
      }
      const bool ok = spec->kind == FlagKind::kInt        ? is_integer(value, true)
                      : spec->kind == FlagKind::kUint     ? is_integer(value, false)
                      : spec->kind == FlagKind::kDuration ? is_go_duration(value)
                                                          : true;
      if (!ok) {
        return unexpected(CliError{"invalid value \"" + value + "\" for flag -" +
                                       std::string(name) + ": parse error",
                                   1});
      }
    }
    out.flags.push_back(FlagValue{std::string(spec->name), std::move(value)});
    out.words.push_back(i + 1 - first_word);
  }
  out.rest.assign(args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
  return out;
}

// urfave/cli v1 moves flags that follow positional arguments in front of
// them, so `runc delete ID --force` works; a non-boolean flag written without
// `=` takes the next word along as its value.
std::vector<std::string> reorder_args(std::span<const FlagSpec> specs,
                                      std::span<const std::string> args) {
  std::vector<std::string> flags;
  std::vector<std::string> positionals;
  bool next_is_value = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") {
      positionals.insert(positionals.end(), args.begin() + static_cast<std::ptrdiff_t>(i),
                         args.end());
      break;
    }
    if (next_is_value && !arg.starts_with("-")) {
      next_is_value = false;
      flags.push_back(arg);
      continue;
    }
    next_is_value = false;
    if (arg != "-" && arg.starts_with("-")) {
      flags.push_back(arg);
      if (arg.find('=') == std::string::npos) {
        std::string_view name(arg);
        name.remove_prefix(name.starts_with("--") ? 2 : 1);
        const FlagSpec* spec = find_flag(specs, name);
        next_is_value = spec != nullptr && spec->kind != FlagKind::kBool;
      }
    } else {
      positionals.push_back(arg);
    }
  }
  flags.insert(flags.end(), positionals.begin(), positionals.end());
  return flags;
}

}  // namespace

std::string_view command_name(Command command) {
  if (command == Command::kNone) {
    return "";
  }
  for (const CommandName& c : kCommands) {
    if (c.command == command) {
      return c.name;
    }
  }
  return "";
}

std::span<const FlagSpec> command_flags(Command command) {
  switch (command) {
    case Command::kCheckpoint:
      return kCheckpointFlags;
    case Command::kCreate:
      return kCreateFlags;
    case Command::kDelete:
      return kDeleteFlags;
    case Command::kEvents:
      return kEventsFlags;
    case Command::kExec:
      return kExecFlags;
    case Command::kKill:
      return kKillFlags;
    case Command::kList:
      return kListFlags;
    case Command::kPs:
      return kPsFlags;
    case Command::kRestore:
      return kRestoreFlags;
    case Command::kRun:
      return kRunFlags;
    case Command::kSpec:
      return kSpecFlags;
    case Command::kUpdate:
      return kUpdateFlags;
    case Command::kNone:
      return {};
    case Command::kFeatures:
    case Command::kHelp:
    case Command::kInit:
    case Command::kPause:
    case Command::kResume:
    case Command::kStart:
    case Command::kState:
      return kOnlyHelp;
  }
  return {};
}

Result<Invocation, CliError> parse(std::span<const std::string> args) {
  Invocation inv;
  auto global = parse_flag_set(kGlobalFlags, args);
  if (!global) {
    return unexpected(std::move(global).error());
  }
  // runc_args: the global part without the words of moat's options, then
  // the rest as is. The words are known from the parse, not guessed from
  // their text: "--root --moat-state" gives runc the root "--moat-state".
  std::size_t word = 0;
  for (std::size_t f = 0; f < global->flags.size(); ++f) {
    const std::string& name = global->flags[f].name;
    const bool moat_own = name == "moat-state" || name == "moat-audit";
    for (std::size_t end = word + global->words[f]; word < end; ++word) {
      if (!moat_own) inv.runc_args.push_back(args[word]);
    }
  }
  const std::size_t global_count = args.size() - global->rest.size();
  for (; word < global_count; ++word) inv.runc_args.push_back(args[word]);  // "--"
  for (const FlagValue& f : global->flags) {
    if (f.name == "moat-state") {
      inv.moat.state_dir = f.value;
    } else if (f.name == "moat-audit") {
      inv.moat.audit_socket = f.value;
    } else if (f.name == "debug") {
      inv.global.debug = f.value == "true";
    } else if (f.name == "log") {
      inv.global.log = f.value;
    } else if (f.name == "log-format") {
      inv.global.log_format = f.value;
    } else if (f.name == "root") {
      inv.global.root = f.value;
    } else if (f.name == "criu") {
      inv.global.criu = f.value;
    } else if (f.name == "systemd-cgroup") {
      inv.global.systemd_cgroup = f.value == "true";
    } else if (f.name == "rootless") {
      inv.global.rootless = f.value;
    } else if (f.name == "help") {
      inv.global.help = f.value == "true";
    } else if (f.name == "version") {
      inv.global.version = f.value == "true";
    }
  }
  const std::vector<std::string>& rest = global->rest;
  inv.runc_args.insert(inv.runc_args.end(), rest.begin(), rest.end());
  if (rest.empty()) {
    return inv;
  }
  const auto found = std::find_if(kCommands.begin(), kCommands.end(),
                                  [&](const CommandName& c) { return c.name == rest.front(); });
  if (found == kCommands.end()) {
    return unexpected(CliError{"No help topic for '" + rest.front() + "'", 3});
  }
  inv.command = found->command;
  const std::span<const FlagSpec> specs = command_flags(inv.command);
  std::span<const std::string> command_args(rest.begin() + 1, rest.end());
  std::vector<std::string> reordered;
  if (inv.command != Command::kExec && inv.command != Command::kPs) {
    reordered = reorder_args(specs, command_args);
    command_args = reordered;
  }
  auto parsed = parse_flag_set(specs, command_args);
  if (!parsed) {
    return unexpected(std::move(parsed).error());
  }
  inv.flags = std::move(parsed->flags);
  inv.positionals = std::move(parsed->rest);
  return inv;
}

std::optional<std::string> Invocation::flag(std::string_view name) const {
  std::optional<std::string> last;
  for (const FlagValue& f : flags) {
    if (f.name == name) {
      last = f.value;
    }
  }
  return last;
}

std::vector<std::string> Invocation::flag_values(std::string_view name) const {
  std::vector<std::string> values;
  for (const FlagValue& f : flags) {
    if (f.name == name) {
      values.push_back(f.value);
    }
  }
  return values;
}

bool Invocation::flag_bool(std::string_view name) const {
  return flag(name).value_or("false") == "true";
}

std::optional<std::string> Invocation::container_id() const {
  if (positionals.empty()) {
    return std::nullopt;
  }
  return positionals.front();
}

}  // namespace moat::runtime::oci_cli

#pragma once
// The docker CLI's flag grammar (spf13/pflag), for `moatctl check`:
// "--name value", "--name=value", "-n value", "-nvalue", "-n=value",
// combined short booleans ("-dit"), "--" ending the flags and, for the
// commands that set it (run, create, exec), flag parsing stopping at the
// first word that is not a flag, so everything after IMAGE is the command.
//
// Hand-written rather than CLI11: CLI11 cannot stop at the first positional
// and hand back the rest verbatim, treats "-abc" differently, and would
// accept option forms pflag refuses. Each command lists its flags in one
// table of T with a `FlagName name` member; the parser only reads names.

#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cli/check/go_values.h"
#include "core/result/result.h"

namespace moat::cli::check {

// Why a command line has no translation: which flag or argument, and why.
struct CommandLineError {
  std::string message;
};

struct FlagName {
  std::string_view long_name;  // "volume"
  char short_name = 0;         // 'v', or 0
  bool takes_value = true;     // false: a boolean flag
};

// What the translation reads from the host, as the docker CLI would.
struct HostEnvironment {
  std::string working_directory;                 // relative bind sources start here ("": unknown)
  std::map<std::string, std::string> variables;  // `-e NAME` takes NAME's value from here

  // The current directory and environment of this process.
  static HostEnvironment current();
};

template <class Flag>
struct FlagUse {
  const Flag* flag = nullptr;
  std::string written;  // "--volume" or "-v", for messages
  std::string value;    // "true"/"false" for a boolean flag
};

template <class Flag>
struct ParsedArguments {
  std::vector<FlagUse<Flag>> flags;  // in command-line order
  std::vector<std::string> positionals;
};

namespace flags_detail {

template <class Flag>
const Flag* find_long(std::span<const Flag> table, std::string_view name) {
  for (const auto& f : table) {
    if (f.name.long_name == name) return &f;
  }
  return nullptr;
}

template <class Flag>
const Flag* find_short(std::span<const Flag> table, char name) {
  for (const auto& f : table) {
    if (f.name.short_name != 0 && f.name.short_name == name) return &f;
  }
  return nullptr;
}

inline Result<std::string, CommandLineError> bool_value(const std::string& written, const std::string& value) {
  const auto parsed = parse_go_bool(value);
  if (!parsed) {
    return unexpected(CommandLineError{"invalid argument \"" + value + "\" for \"" + written +
                                       "\" flag: strconv.ParseBool: parsing \"" + value + "\": invalid syntax"});
  }
  return std::string(*parsed ? "true" : "false");
}

}  // namespace flags_detail

// `command` names the command in messages ("docker run"). With
// interspersed == false the first non-flag word and everything after it are
// positionals, as pflag's SetInterspersed(false).
template <class Flag>
Result<ParsedArguments<Flag>, CommandLineError> parse_flags(std::span<const Flag> table,
                                                            std::span<const std::string> args, bool interspersed,
                                                            const std::string& command) {
  using flags_detail::bool_value;
  ParsedArguments<Flag> out;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") {
      out.positionals.insert(out.positionals.end(), args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args.end());
      return out;
    }
    if (arg.size() < 2 || arg[0] != '-') {
      if (!interspersed) {
        out.positionals.insert(out.positionals.end(), args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
        return out;
      }
      out.positionals.push_back(arg);
      continue;
    }
    if (arg[1] == '-') {
      const Cut name_value = cut(std::string_view(arg).substr(2), '=');
      if (name_value.before.empty() || name_value.before[0] == '-' || name_value.before[0] == '=') {
        return unexpected(CommandLineError{command + ": bad flag syntax: " + arg});
      }
      const std::string written = "--" + name_value.before;
      const Flag* flag = flags_detail::find_long(table, name_value.before);
      if (flag == nullptr) return unexpected(CommandLineError{command + ": unknown flag: " + written});
      FlagUse<Flag> use{flag, written, {}};
      if (!flag->name.takes_value) {
        auto value = bool_value(written, name_value.found ? name_value.after : "true");
        if (!value) return unexpected(CommandLineError{command + ": " + value.error().message});
        use.value = *value;
      } else if (name_value.found) {
        use.value = name_value.after;
      } else if (i + 1 < args.size()) {
        use.value = args[++i];
      } else {
        return unexpected(CommandLineError{command + ": flag needs an argument: " + written});
      }
      out.flags.push_back(std::move(use));
      continue;
    }
    // One or more short flags: "-dit", "-eA=1", "-e=A=1", "-p 80".
    std::string_view shorts = std::string_view(arg).substr(1);
    while (!shorts.empty()) {
      const char c = shorts[0];
      const Flag* flag = flags_detail::find_short(table, c);
      if (flag == nullptr) {
        return unexpected(
            CommandLineError{command + ": unknown shorthand flag: '" + std::string(1, c) + "' in " + arg});
      }
      const std::string written = "-" + std::string(1, c);
      FlagUse<Flag> use{flag, written, {}};
      const bool equals = shorts.size() > 1 && shorts[1] == '=';
      if (!flag->name.takes_value) {
        auto value = bool_value(written, equals ? std::string(shorts.substr(2)) : "true");
        if (!value) return unexpected(CommandLineError{command + ": " + value.error().message});
        use.value = *value;
        shorts = equals ? std::string_view() : shorts.substr(1);
      } else {
        if (equals) {
          use.value = std::string(shorts.substr(2));
        } else if (shorts.size() > 1) {
          use.value = std::string(shorts.substr(1));
        } else if (i + 1 < args.size()) {
          use.value = args[++i];
        } else {
          return unexpected(
              CommandLineError{command + ": flag needs an argument: '" + std::string(1, c) + "' in " + arg});
        }
        shorts = std::string_view();
      }
      out.flags.push_back(std::move(use));
    }
  }
  return out;
}

// For flags that change nothing in the request (-q, --disable-content-trust...).
template <class State>
Result<void, std::string> no_request_effect(State& /*state*/, const std::string& /*value*/) {
  return {};
}

// A flag table for commands whose flags each change one state: the flag's
// names, and how it changes the state (nullptr: docker knows the flag but
// this translation does not).
template <class State>
struct CommandFlag {
  FlagName name;
  Result<void, std::string> (*apply)(State&, const std::string&) = nullptr;
  std::string_view why_not = "moatctl check does not translate it";
};

// Parses `args` against the table and applies every flag in order. Returns
// the positionals.
template <class State>
Result<std::vector<std::string>, CommandLineError> apply_flags(std::span<const CommandFlag<State>> table,
                                                               std::span<const std::string> args, bool interspersed,
                                                               const std::string& command, State& state) {
  auto parsed = parse_flags<CommandFlag<State>>(table, args, interspersed, command);
  if (!parsed) return unexpected(parsed.error());
  for (const auto& use : parsed->flags) {
    if (use.flag->apply == nullptr) {
      return unexpected(
          CommandLineError{command + ": " + use.written + " is not supported: " + std::string(use.flag->why_not)});
    }
    if (auto applied = use.flag->apply(state, use.value); !applied) {
      return unexpected(CommandLineError{command + ": invalid argument \"" + use.value + "\" for \"" + use.written +
                                         "\" flag: " + applied.error()});
    }
  }
  return std::move(parsed->positionals);
}

}  // namespace moat::cli::check

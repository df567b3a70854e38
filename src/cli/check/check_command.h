#pragma once
// moatctl check: a dry run of Moat's policy. It turns a docker command line
// into the request the docker CLI would send, judges it as moatd would for
// the given user, and prints the decision, its reason and the request,
// without contacting any engine.
//
// Exit codes: 0 allowed, 1 refused, 2 no decision (a command line that
// cannot be translated, an unknown user, settings that cannot be read).

#include <CLI/CLI.hpp>
#include <iosfwd>
#include <string>
#include <vector>

#include "cli/check/docker_flags.h"
#include "cli/commands.h"

namespace moat::cli {

struct CheckCommandOptions {
  std::string as_user;                   // name or uid; empty: the invoking user
  std::vector<std::string> docker_argv;  // after "--": [docker] run [flags] IMAGE [CMD...]
  bool as_json = false;
};

int run_check(const StackOptions& stack, const std::string& as_user, const std::vector<std::string>& docker_argv,
              bool as_json);

// The same, with the host environment and the output streams given (tests).
int run_check(const StackOptions& stack, const std::string& as_user, const std::vector<std::string>& docker_argv,
              bool as_json, const check::HostEnvironment& host, std::ostream& out, std::ostream& err);

// Adds `check` and its options to moatctl's command line.
CLI::App* add_check_command(CLI::App& app, StackOptions& stack, CheckCommandOptions& options);

}  // namespace moat::cli

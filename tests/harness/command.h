#pragma once
// Runs shell commands for end-to-end tests and captures what they print.

#include <chrono>
#include <string>

namespace moat::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
  bool timed_out = false;

  std::string all() const { return out + err; }
};

// Runs `sh -c command` as the caller (root in the test suite).
CommandResult run(const std::string& command,
                  std::chrono::seconds timeout = std::chrono::seconds(180));

// Single-quotes a word for the shell.
std::string quote(const std::string& word);

}  // namespace moat::testing

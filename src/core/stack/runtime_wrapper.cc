#include "core/stack/runtime_wrapper.h"

#include <algorithm>

namespace moat::core::stack {
namespace {

// Linux reads at most this much of a "#!" line (BINPRM_BUF_SIZE, newline
// included); a longer line would be cut, not refused.
constexpr std::size_t kShebangLineLimit = 255;

bool fits_in_shebang(const std::string& path) {
  return !path.empty() && path.front() == '/' &&
         std::none_of(path.begin(), path.end(), [](char c) { return c == ':' || c == ' ' || c == '\t' || c == '\n'; });
}

std::string shell_quoted(const std::string& text) {
  std::string out = "'";
  for (const char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

}  // namespace

std::string runtime_wrapper_text(const std::string& moat_runc, const std::string& state_dir,
                                 const std::string& audit_socket) {
  const std::string comment = "# Written by moatctl up: the engine's runc is Moat's isolating runtime.\n";
  const std::string line = "#!" + moat_runc + " " + std::string(kWrapperFlag) + state_dir + ":" + audit_socket;
  const bool whitespace_free = std::none_of(moat_runc.begin(), moat_runc.end(), [](char c) {
    return c == ' ' || c == '\t' || c == '\n';
  });
  if (whitespace_free && fits_in_shebang(state_dir) && fits_in_shebang(audit_socket) &&
      line.size() < kShebangLineLimit) {
    return line + "\n" + comment;
  }
  return "#!/bin/sh\n" + comment + "exec " + shell_quoted(moat_runc) + " --moat-state " + shell_quoted(state_dir) +
         " --moat-audit " + shell_quoted(audit_socket) + " \"$@\"\n";
}

Result<std::vector<std::string>> expand_wrapper_args(std::span<const std::string> args) {
  if (args.empty() || !args.front().starts_with(kWrapperFlag)) {
    return std::vector<std::string>(args.begin(), args.end());
  }
  const std::string value = args.front().substr(kWrapperFlag.size());
  const auto colon = value.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == value.size() || args.size() < 2 ||
      args[1].empty() || args[1].front() != '/') {
    return fail("moat-runc: " + std::string(kWrapperFlag) +
                "STATE:SOCKET comes only from the \"#!\" line of the engine's runc, followed by that file's "
                "path; got \"" + args.front() + "\"" + (args.size() < 2 ? " alone" : " then \"" + args[1] + "\""));
  }
  std::vector<std::string> out{"--moat-state", value.substr(0, colon), "--moat-audit", value.substr(colon + 1)};
  out.insert(out.end(), args.begin() + 2, args.end());
  return out;
}

}  // namespace moat::core::stack

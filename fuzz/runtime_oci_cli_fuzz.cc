// Parses arbitrary runc command lines the way moat-runc does and checks that
// parsing never throws, that every error says why with runc's exit code, and
// that runc is handed what moat-runc judged: the arguments it passes on
// (runc_args) read back as the same command, flags, container and global
// options, with none of moat-runc's own options left in them. A difference
// would let the engine's caller show moat-runc one command and run another.
//
// Input: the arguments separated by NUL bytes ("--root\0/run/x\0create\0id").
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/oci_cli/grammar.h"

namespace {

namespace cli = moat::runtime::oci_cli;

bool same_globals(const cli::GlobalOptions& a, const cli::GlobalOptions& b) {
  return a.debug == b.debug && a.log == b.log && a.log_format == b.log_format && a.root == b.root &&
         a.criu == b.criu && a.systemd_cgroup == b.systemd_cgroup && a.rootless == b.rootless &&
         a.help == b.help && a.version == b.version;
}

bool same_flags(const std::vector<cli::FlagValue>& a, const std::vector<cli::FlagValue>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const cli::FlagValue& x, const cli::FlagValue& y) {
    return x.name == y.name && x.value == y.value;
  });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> args;
  std::size_t start = 0;
  while (start < input.size()) {
    const std::size_t end = std::min(input.find('\0', start), input.size());
    args.emplace_back(input.substr(start, end - start));
    start = end + 1;
  }

  const auto parsed = cli::parse(args);
  if (!parsed) {
    if (parsed.error().message.empty()) __builtin_trap();
    if (parsed.error().exit_code != 1 && parsed.error().exit_code != 3) __builtin_trap();
    return 0;
  }
  (void)parsed->container_id();

  const auto passed_on = cli::parse(parsed->runc_args);
  if (!passed_on) __builtin_trap();
  if (!passed_on->moat.state_dir.empty() || !passed_on->moat.audit_socket.empty()) __builtin_trap();
  if (passed_on->command != parsed->command) __builtin_trap();
  if (!same_globals(passed_on->global, parsed->global)) __builtin_trap();
  if (!same_flags(passed_on->flags, parsed->flags)) __builtin_trap();
  if (passed_on->positionals != parsed->positionals) __builtin_trap();
  if (passed_on->runc_args != parsed->runc_args) __builtin_trap();
  return 0;
}

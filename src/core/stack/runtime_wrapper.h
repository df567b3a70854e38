#pragma once
// The engine's `runc` when Enhanced Container Isolation is on: a file that
// runs moat-runc with the stack's runtime state and moatd's socket. The
// engine passes moat-runc no arguments of its own, hence a file, and runs it
// four times for each container, hence no shell when avoidable: the kernel
// starts "#!MOAT_RUNC --moat-wrapper=STATE:SOCKET" as
//   MOAT_RUNC --moat-wrapper=STATE:SOCKET WRAPPER_PATH ARGS...
// (a shell in between cost 1.2 ms a call). The kernel passes the text after
// the interpreter as one argument, hence the two paths joined by ':'; paths
// that cannot be written so get a shell script.

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result/result.h"

namespace moat::core::stack {

inline constexpr std::string_view kWrapperFlag = "--moat-wrapper=";

// The wrapper's text: the "#!" line when the paths allow it, else a shell
// script passing --moat-state and --moat-audit.
std::string runtime_wrapper_text(const std::string& moat_runc, const std::string& state_dir,
                                 const std::string& audit_socket);

// moat-runc's arguments as given (without argv[0]): when the first is
// --moat-wrapper=STATE:SOCKET, the wrapper's path after it is dropped and
// they become --moat-state STATE --moat-audit SOCKET; otherwise unchanged.
// A first --moat-wrapper argument of another form is an error.
Result<std::vector<std::string>> expand_wrapper_args(std::span<const std::string> args);

}  // namespace moat::core::stack

// moat-runc: see runtime/moat_runc.h.
#include <string>
#include <vector>

#include "core/stack/runtime_wrapper.h"
#include "runtime/delegate_runc.h"
#include "runtime/moat_runc.h"
#include "runtime/runtime_log.h"
#include "runtime/sys/privileged_ops.h"

int main(int argc, char** argv) {
  const std::vector<std::string> given(argv + 1, argv + argc);
  auto args = moat::core::stack::expand_wrapper_args(given);
  if (!args) {
    moat::runtime::log_message(moat::runtime::LogTarget{}, "error", args.error().message);
    return 1;
  }
  const moat::runtime::RuntimeEnvironment env{moat::runtime::kSystemRunc,
                                              &moat::runtime::sys::linux_privileged_ops()};
  return moat::runtime::run_moat_runc(*args, env);
}

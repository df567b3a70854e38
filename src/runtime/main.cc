// moat-runc: see runtime/moat_runc.h.
#include <string>
#include <vector>

#include "runtime/delegate_runc.h"
#include "runtime/moat_runc.h"
#include "runtime/sys/privileged_ops.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  const moat::runtime::RuntimeEnvironment env{moat::runtime::kSystemRunc,
                                              &moat::runtime::sys::linux_privileged_ops()};
  return moat::runtime::run_moat_runc(args, env);
}

#include "core/policy/runtime_choice.h"

namespace moat::core::policy {

Decision judge_runtime(const Fields& host_config) {
  const auto runtime = host_config.string("Runtime");
  if (!runtime) return runtime.error();
  if (runtime->empty() || *runtime == "runc") return Decision::allow("container.runtime");
  return Decision::deny("container.runtime", "",
                        "--runtime " + *runtime +
                            " is not allowed: every container runs with Moat's runtime (runc)",
                        "");
}

}  // namespace moat::core::policy

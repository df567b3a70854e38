#include "core/policy/host_resources.h"

namespace moat::core::policy {

Decision judge_cgroup_parent(const std::string& parent, const std::string& subject) {
  if (parent.empty()) return Decision::allow("container.cgroup-parent");
  return Decision::deny("container.cgroup-parent", "",
                        subject + " is not allowed: containers stay in the cgroup tree the "
                                  "engine gives them, where their limits apply",
                        "");
}

Decision judge_host_resources(const Fields& host_config) {
  const auto parent = host_config.string("CgroupParent");
  if (!parent) return parent.error();
  if (const Decision d = judge_cgroup_parent(*parent, "--cgroup-parent " + *parent); !d.allowed) {
    return d;
  }
  const auto score = host_config.integer("OomScoreAdj");
  if (!score) return score.error();
  if (*score < 0) {
    return Decision::deny("container.oom-score-adj", "",
                          "--oom-score-adj " + std::to_string(*score) +
                              " is not allowed: a negative score would have the kernel kill host "
                              "processes before the container's when memory runs out",
                          "");
  }
  return Decision::allow("container.host-resources");
}

}  // namespace moat::core::policy

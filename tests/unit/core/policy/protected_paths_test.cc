#include "core/policy/protected_paths.h"

#include <gtest/gtest.h>

namespace moat::core::policy {
namespace {

TEST(ProtectedPaths, CoverMoatsLayoutAndOtherEngines) {
  const stack::Layout layout{"/run/moat", "/var/lib/moat", "/etc/moat/admin-settings.json"};
  const auto paths = protected_paths_for(layout);
  std::vector<std::string> names;
  for (const auto& p : paths) names.push_back(p.path);
  const std::vector<std::string> expected = {"/run/moat/engine.sock",
                                             "/run/moat/docker.sock",
                                             "/run/moat/control.sock",
                                             "/run/moat",
                                             "/var/lib/moat",
                                             "/var/lib/moat/engine-data",
                                             "/etc/moat/admin-settings.json",
                                             "/etc/moat",
                                             "/var/run/docker.sock",
                                             "/run/docker.sock",
                                             "/run/docker",
                                             "/etc/docker",
                                             "/var/lib/docker",
                                             "/run/containerd",
                                             "/var/lib/containerd",
                                             "/run/buildkit",
                                             "/run/moat-runc"};
  EXPECT_EQ(names, expected);
  EXPECT_EQ(paths.front().description, "the engine socket");
  for (const auto& p : paths) EXPECT_FALSE(p.description.empty()) << p.path;
}

}  // namespace
}  // namespace moat::core::policy

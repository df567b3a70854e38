#include "core/policy/log_driver.h"

#include <array>
#include <string_view>

namespace moat::core::policy {
namespace {

// The engine looks a driver up by its exact name; any other spelling is a
// driver it does not have (or a plugin), so it is not one of these.
constexpr std::array<std::string_view, 3> kLocalDrivers = {"json-file", "local", "none"};

}  // namespace

Decision judge_log_driver(const Fields& host_config, const PolicyContext& context) {
  const auto log_config = host_config.object_at("LogConfig");
  if (!log_config) return log_config.error();
  const auto driver = log_config->string("Type");
  if (!driver) return driver.error();
  if (driver->empty()) return Decision::allow("container.log-driver");
  for (const auto local : kLocalDrivers) {
    if (*driver == local) return Decision::allow("container.log-driver");
  }
  if (context.setting_on("moat.allowAnyLogDriver")) return Decision::allow("container.log-driver");
  return Decision::deny("container.log-driver", "moat.allowAnyLogDriver",
                        "--log-driver " + *driver +
                            " is not allowed: the engine itself would send the container's output, as "
                            "root from the host, wherever the log options say; json-file, local and none "
                            "keep it on this machine",
                        admin_remedy("moat.allowAnyLogDriver", true));
}

}  // namespace moat::core::policy

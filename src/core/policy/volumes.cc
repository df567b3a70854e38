#include "core/policy/volumes.h"

#include "core/policy/body_fields.h"
#include "core/policy/mounts.h"

namespace moat::core::policy {

Decision judge_volume_create(const ApiRequest& request, const PolicyContext& context) {
  const auto body = body_fields(request.body);
  if (!body) return body.error();
  const auto driver = body->string("Driver");
  if (!driver) return driver.error();
  if (const Decision d = judge_volume_driver(*driver, context); !d.allowed) return d;
  if (!driver->empty() && *driver != "local") return Decision::allow("volume.create");
  const auto options = body->string_map("DriverOpts");
  if (!options) return options.error();
  const auto name = body->string("Name");
  if (!name) return name.error();
  const std::string subject = name->empty() ? "anonymous volume" : "volume " + *name;
  if (const Decision d = judge_local_volume_options(*options, subject, context); !d.allowed) {
    return d;
  }
  return Decision::allow("volume.create");
}

}  // namespace moat::core::policy

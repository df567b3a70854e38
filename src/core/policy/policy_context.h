#pragma once
// What the policy judges (one parsed Docker API request) and what it judges
// it against (the settings in force, who is asking, what must stay out of
// reach).

#include <sys/types.h>

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/policy/host_filesystem.h"
#include "core/policy/host_network.h"
#include "core/settings/effective_settings.h"

namespace moat::core::policy {

struct Caller {
  uid_t uid = 0;
  gid_t gid = 0;
  pid_t pid = 0;
  std::string executable;
  std::string home;  // what $HOME in filesharingAllowedDirectories stands for
};

// What moatd hands over. The body is already canonical for the endpoints
// that have a schema (docker_api_v141.h): exact field names, unknown keys
// refused, HostConfig fields only under /HostConfig. The policy reads exact
// names only and refuses a body whose shape it does not expect.
struct ApiRequest {
  std::string method;                                      // "POST"
  std::vector<std::string> segments;                       // {"containers", "create"}
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in order
  std::optional<nlohmann::json> body;                      // JSON body, if the endpoint has one
  // The unread body of an archive endpoint when moatd buffered it to be
  // read (POST /build's context while moat.registryAccess is on); nullopt
  // when it streams past. Valid only during the judging call.
  std::optional<std::string_view> archive;
};

// A host path no container may reach, and what to call it in a refusal.
struct ProtectedPath {
  std::string path;         // "/run/moat/engine.sock"
  std::string description;  // "the engine socket"
};

// Borrows the protected paths: moatd builds a context per request, and a
// copy of them in each cost a containers/json request about 9,000 of its
// 57,700 instructions in moatd (callgrind). Whoever builds the context keeps
// them alive for as long as it is used.
struct PolicyContext {
  const settings::EffectiveSettings& settings;
  Caller caller;
  std::span<const ProtectedPath> protected_paths;
  bool eci_active = false;  // moat-runc confines every container
  const HostFilesystem* filesystem = nullptr;  // nullptr: real_host_filesystem()
  const HostNetwork* network = nullptr;        // nullptr: real_host_network()

  // A boolean setting that is true; any other value reads as off.
  bool setting_on(std::string_view key) const {
    const auto& value = settings.value(key);
    return value.is_boolean() && value.get<bool>();
  }

  const HostFilesystem& host() const {
    return filesystem != nullptr ? *filesystem : real_host_filesystem();
  }

  const HostNetwork& host_network() const {
    return network != nullptr ? *network : real_host_network();
  }
};

}  // namespace moat::core::policy

#include "core/policy/endpoints.h"

#include <algorithm>
#include <array>

#include "core/policy/build.h"
#include "core/policy/containers.h"
#include "core/policy/features.h"
#include "core/policy/images.h"
#include "core/policy/networks.h"
#include "core/policy/registries.h"
#include "core/policy/volumes.h"

namespace moat::core::policy {
namespace {

constexpr auto kNone = BodyKind::kNone;
constexpr auto kJson = BodyKind::kJson;
constexpr auto kStream = BodyKind::kStream;

// clang-format off
constexpr std::array kEndpoints = {
    // System.
    Endpoint{"GET", "_ping", "system.ping"},
    Endpoint{"HEAD", "_ping", "system.ping"},
    Endpoint{"GET", "version", "system.version"},
    Endpoint{"GET", "info", "system.info"},
    Endpoint{"GET", "events", "system.events"},
    Endpoint{"GET", "system/df", "system.df"},
    Endpoint{"POST", "auth", "system.auth", kJson},

    // Containers: the developer's own; what they may do to the host is
    // decided at create, update and exec.
    Endpoint{"GET", "containers/json", "container.list"},
    Endpoint{"POST", "containers/create", "container.create", kJson, judge_container_create},
    Endpoint{"POST", "containers/prune", "container.prune"},
    Endpoint{"GET", "containers/*/json", "container.inspect"},
    Endpoint{"GET", "containers/*/top", "container.top"},
    Endpoint{"GET", "containers/*/logs", "container.logs"},
    Endpoint{"GET", "containers/*/changes", "container.changes"},
    Endpoint{"GET", "containers/*/export", "container.export"},
    Endpoint{"GET", "containers/*/stats", "container.stats"},
    Endpoint{"POST", "containers/*/resize", "container.resize"},
    Endpoint{"POST", "containers/*/start", "container.start"},
    Endpoint{"POST", "containers/*/stop", "container.stop"},
    Endpoint{"POST", "containers/*/restart", "container.restart"},
    Endpoint{"POST", "containers/*/kill", "container.kill"},
    Endpoint{"POST", "containers/*/update", "container.update", kJson, judge_container_update},
    Endpoint{"POST", "containers/*/rename", "container.rename"},
    Endpoint{"POST", "containers/*/pause", "container.pause"},
    Endpoint{"POST", "containers/*/unpause", "container.unpause"},
    Endpoint{"POST", "containers/*/attach", "container.attach"},
    Endpoint{"GET", "containers/*/attach/ws", "container.attach"},
    Endpoint{"POST", "containers/*/wait", "container.wait"},
    Endpoint{"DELETE", "containers/*", "container.delete"},
    Endpoint{"HEAD", "containers/*/archive", "container.archive"},
    Endpoint{"GET", "containers/*/archive", "container.archive"},
    Endpoint{"PUT", "containers/*/archive", "container.archive", kStream},
    Endpoint{"POST", "containers/*/exec", "exec.create", kJson, judge_exec_create},
    Endpoint{"POST", "exec/*/start", "exec.start", kJson},
    Endpoint{"POST", "exec/*/resize", "exec.resize"},
    Endpoint{"GET", "exec/*/json", "exec.inspect"},
    Endpoint{"POST", "commit", "container.commit", kJson},

    // Images.
    Endpoint{"GET", "images/json", "image.list"},
    Endpoint{"POST", "images/create", "image.create", kStream, judge_image_create},
    Endpoint{"POST", "images/load", "image.load", kStream, judge_image_load},
    Endpoint{"POST", "images/prune", "image.prune"},
    Endpoint{"GET", "images/search", "image.search"},
    Endpoint{"GET", "images/get", "image.save"},
    Endpoint{"GET", "images/+/json", "image.inspect"},
    Endpoint{"GET", "images/+/history", "image.history"},
    Endpoint{"GET", "images/+/get", "image.save"},
    Endpoint{"POST", "images/+/push", "image.push", kNone, judge_image_push},
    Endpoint{"POST", "images/+/tag", "image.tag"},
    Endpoint{"DELETE", "images/+", "image.delete"},
    Endpoint{"GET", "distribution/+/json", "image.distribution"},

    // Build.
    Endpoint{"POST", "build", "build", kStream, judge_build},
    Endpoint{"POST", "build/prune", "build.prune"},
    Endpoint{"POST", "build/cancel", "build.cancel"},
    Endpoint{"POST", "session", "build.session"},
    Endpoint{"POST", "grpc", "build.grpc", kNone, judge_buildkit_grpc},

    // Volumes.
    Endpoint{"GET", "volumes", "volume.list"},
    Endpoint{"POST", "volumes/create", "volume.create", kJson, judge_volume_create},
    Endpoint{"POST", "volumes/prune", "volume.prune"},
    Endpoint{"GET", "volumes/*", "volume.inspect"},
    Endpoint{"DELETE", "volumes/*", "volume.delete"},

    // Networks.
    Endpoint{"GET", "networks", "network.list"},
    Endpoint{"POST", "networks/create", "network.create", kJson, judge_network_create},
    Endpoint{"POST", "networks/prune", "network.prune"},
    Endpoint{"GET", "networks/*", "network.inspect"},
    Endpoint{"DELETE", "networks/*", "network.delete"},
    Endpoint{"POST", "networks/*/connect", "network.connect", kJson, judge_network_connect},
    Endpoint{"POST", "networks/*/disconnect", "network.disconnect", kJson},

    // Plugins (moat.allowPlugins).
    Endpoint{"GET", "plugins", "endpoint.plugins", kNone, judge_plugins},
    Endpoint{"GET", "plugins/privileges", "endpoint.plugins", kNone, judge_plugins},
    Endpoint{"POST", "plugins/pull", "endpoint.plugins", kJson, judge_plugins},
    Endpoint{"POST", "plugins/create", "endpoint.plugins", kStream, judge_plugins},
    Endpoint{"GET", "plugins/+/json", "endpoint.plugins", kNone, judge_plugins},
    Endpoint{"DELETE", "plugins/+", "endpoint.plugins", kNone, judge_plugins},
    Endpoint{"POST", "plugins/+/enable", "endpoint.plugins", kNone, judge_plugins},
    Endpoint{"POST", "plugins/+/disable", "endpoint.plugins", kNone, judge_plugins},
    Endpoint{"POST", "plugins/+/upgrade", "endpoint.plugins", kJson, judge_plugins},
    Endpoint{"POST", "plugins/+/push", "endpoint.plugins", kNone, judge_plugins},
    Endpoint{"POST", "plugins/+/set", "endpoint.plugins", kJson, judge_plugins},

    // Swarm (moat.allowSwarm).
    Endpoint{"GET", "swarm", "endpoint.swarm", kNone, judge_swarm},
    Endpoint{"POST", "swarm/init", "endpoint.swarm", kJson, judge_swarm},
    Endpoint{"POST", "swarm/join", "endpoint.swarm", kJson, judge_swarm},
    Endpoint{"POST", "swarm/leave", "endpoint.swarm", kNone, judge_swarm},
    Endpoint{"POST", "swarm/update", "endpoint.swarm", kJson, judge_swarm},
    Endpoint{"GET", "swarm/unlockkey", "endpoint.swarm", kNone, judge_swarm},
    Endpoint{"POST", "swarm/unlock", "endpoint.swarm", kJson, judge_swarm},
    Endpoint{"GET", "nodes", "endpoint.swarm", kNone, judge_swarm},
    Endpoint{"GET", "nodes/*", "endpoint.swarm", kNone, judge_swarm},
    Endpoint{"DELETE", "nodes/*", "endpoint.swarm", kNone, judge_swarm},
    Endpoint{"POST", "nodes/*/update", "endpoint.swarm", kJson, judge_swarm},
    Endpoint{"GET", "services", "endpoint.swarm", kNone, judge_swarm},
    Endpoint{"POST", "services/create", "endpoint.swarm", kJson, judge_swarm},
    Endpoint{"GET", "services/*", "endpoint.swarm", kNone, judge_swarm},
    Endpoint{"DELETE", "services/*", "endpoint.swarm", kNone, judge_swarm},
    Endpoint{"POST", "services/*/update", "endpoint.swarm", kJson, judge_swarm},
    Endpoint{"GET", "services/*/logs", "endpoint.swarm", kNone, judge_swarm},
    Endpoint{"GET", "tasks", "endpoint.swarm", kNone, judge_swarm},
    Endpoint{"GET", "tasks/*", "endpoint.swarm", kNone, judge_swarm},
    Endpoint{"GET", "tasks/*/logs", "endpoint.swarm", kNone, judge_swarm},
    Endpoint{"GET", "secrets", "endpoint.swarm", kNone, judge_swarm},
    Endpoint{"POST", "secrets/create", "endpoint.swarm", kJson, judge_swarm},
    Endpoint{"GET", "secrets/*", "endpoint.swarm", kNone, judge_swarm},
    Endpoint{"DELETE", "secrets/*", "endpoint.swarm", kNone, judge_swarm},
    Endpoint{"POST", "secrets/*/update", "endpoint.swarm", kJson, judge_swarm},
    Endpoint{"GET", "configs", "endpoint.swarm", kNone, judge_swarm},
    Endpoint{"POST", "configs/create", "endpoint.swarm", kJson, judge_swarm},
    Endpoint{"GET", "configs/*", "endpoint.swarm", kNone, judge_swarm},
    Endpoint{"DELETE", "configs/*", "endpoint.swarm", kNone, judge_swarm},
    Endpoint{"POST", "configs/*/update", "endpoint.swarm", kJson, judge_swarm},
};
// clang-format on

std::vector<std::string_view> split_pattern(std::string_view pattern) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t slash = pattern.find('/', start);
    out.push_back(pattern.substr(start, slash == std::string_view::npos ? pattern.npos
                                                                        : slash - start));
    if (slash == std::string_view::npos) return out;
    start = slash + 1;
  }
}

// An empty, "." or ".." segment names no resource; the engine's router would
// clean it into another path.
bool usable(const std::string& segment) {
  return !segment.empty() && segment != "." && segment != "..";
}

bool match_from(const std::vector<std::string_view>& pattern, std::size_t p,
                const std::vector<std::string>& segments, std::size_t s) {
  if (p == pattern.size()) return s == segments.size();
  if (s == segments.size()) return false;
  if (!usable(segments[s])) return false;
  if (pattern[p] == "*") return match_from(pattern, p + 1, segments, s + 1);
  if (pattern[p] == "+") {
    for (std::size_t end = s + 1; end <= segments.size(); ++end) {
      if (!usable(segments[end - 1])) return false;
      if (match_from(pattern, p + 1, segments, end)) return true;
    }
    return false;
  }
  return pattern[p] == segments[s] && match_from(pattern, p + 1, segments, s + 1);
}

}  // namespace

std::span<const Endpoint> endpoint_table() { return kEndpoints; }

bool pattern_matches(std::string_view pattern, const std::vector<std::string>& segments) {
  return match_from(split_pattern(pattern), 0, segments, 0);
}

const Endpoint* find_endpoint(std::string_view method, const std::vector<std::string>& segments) {
  for (const auto& endpoint : kEndpoints) {
    if (endpoint.method == method && pattern_matches(endpoint.pattern, segments)) {
      return &endpoint;
    }
  }
  return nullptr;
}

BodyKind body_kind(const std::string& method, const std::vector<std::string>& segments) {
  const Endpoint* endpoint = find_endpoint(method, segments);
  return endpoint == nullptr ? BodyKind::kNone : endpoint->body;
}

bool only_reads_engine_state(std::string_view method, std::string_view rule) {
  if (method != "GET" && method != "HEAD") return false;
  // Not container.top: the engine asks the runtime, which runs and records.
  static constexpr std::array<std::string_view, 15> kReads = {
      "system.ping",    "system.version", "system.info",       "system.df",     "container.list",
      "container.inspect", "container.changes", "image.list",  "image.inspect", "image.history",
      "volume.list",    "volume.inspect", "network.list",      "network.inspect", "exec.inspect",
  };
  return std::find(kReads.begin(), kReads.end(), rule) != kReads.end();
}

}  // namespace moat::core::policy

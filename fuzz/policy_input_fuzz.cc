// Builds a Docker API request from arbitrary bytes and checks that the
// policy judges it without crashing, that every refusal names its rule and
// reason, and that judging is deterministic.
//
// Input: byte 0 picks the method ('G'ET, 'H'EAD, 'P'OST, P'U'T, 'D'ELETE,
// otherwise by value), byte 1's low bits pick the situation (1: ECI active,
// 2: blockDockerLoad, 4: moat.allowPlugins, 8: moat.allowSwarm, 16:
// moat.allowAnyLogDriver, 32: the admin's address pools 10.255.0.0/16 and
// fd00:1::/48, 64: portBindingBehavior "local-only-port-binding"), then
// "path?query" up to the first newline, then the JSON body. The body is
// canonicalised like moatd does when a schema exists and accepts it;
// otherwise the policy gets parse_strict's reading as it is.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json/strict_json.h"
#include "core/policy/policy.h"
#include "core/settings/admin_settings.h"
#include "core/settings/effective_settings.h"
#include "core/settings/user_settings.h"
#include "moatd/http/docker_api_v141.h"
#include "moatd/http/go_json.h"

namespace {

using namespace moat::core;
using namespace moat::moatd::http;

// A host on 10.0.2.0/24 whose nameserver is 10.255.255.53, with fd00::/64.
class FixedNetwork final : public policy::HostNetwork {
 public:
  moat::Result<std::vector<policy::HostAddressUse>> addresses_in_use() const override {
    std::vector<policy::HostAddressUse> uses;
    for (const char* prefix : {"10.0.2.0/24", "10.0.2.15", "10.255.255.53", "fd00::/64"}) {
      uses.push_back({*policy::IpPrefix::parse(prefix, true), prefix});
    }
    return uses;
  }
  moat::Result<bool> forwards_ipv6() const override { return false; }
};

// A small fixed host: lexical paths, /var/run -> /run, a few objects.
class FixedHost final : public policy::HostFilesystem {
 public:
  moat::Result<std::string> resolve(const std::string& path) const override {
    std::vector<std::string> parts;
    std::size_t pos = 0;
    while (pos <= path.size()) {
      const std::size_t end = std::min(path.find('/', pos), path.size());
      const std::string part = path.substr(pos, end - pos);
      if (part == "..") {
        if (!parts.empty()) parts.pop_back();
      } else if (!part.empty() && part != ".") {
        parts.push_back(part);
      }
      if (parts.size() == 2 && parts[0] == "var" && parts[1] == "run") parts = {"run"};
      pos = end + 1;
    }
    std::string out;
    for (const auto& part : parts) out += "/" + part;
    return out.empty() ? "/" : out;
  }

  std::optional<policy::FileId> identity(const std::string& path) const override {
    static const std::map<std::string, ino_t> kObjects = {
        {"/", 2}, {"/run", 3}, {"/run/moat", 4}, {"/run/moat/engine.sock", 5},
        {"/home", 6}, {"/home/dev", 7}, {"/tmp", 8}, {"/mnt/run-again", 3}};
    const auto resolved = resolve(path);
    if (!resolved) return std::nullopt;
    const auto it = kObjects.find(*resolved);
    if (it == kObjects.end()) return std::nullopt;
    return policy::FileId{1, it->second};
  }
};

std::string method_of(std::uint8_t byte) {
  switch (byte) {
    case 'G': return "GET";
    case 'H': return "HEAD";
    case 'P': return "POST";
    case 'U': return "PUT";
    case 'D': return "DELETE";
    default: break;
  }
  static const char* const kMethods[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"};
  return kMethods[byte % 6];
}

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find(separator, start), text.size());
    out.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

const go_json::Type* schema_for(const std::string& method, const std::vector<std::string>& s) {
  if (method != "POST") return nullptr;
  if (s == std::vector<std::string>{"containers", "create"}) {
    return &docker_api_v141::container_create();
  }
  if (s.size() == 3 && s[0] == "containers" && s[2] == "update") {
    return &docker_api_v141::container_update();
  }
  if (s.size() == 3 && s[0] == "containers" && s[2] == "exec") {
    return &docker_api_v141::exec_create();
  }
  if (s == std::vector<std::string>{"volumes", "create"}) return &docker_api_v141::volume_create();
  if (s == std::vector<std::string>{"networks", "create"}) {
    return &docker_api_v141::network_create();
  }
  return nullptr;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::uint8_t flags = data[1];
  const std::string_view rest = input.substr(2);
  const std::size_t newline = rest.find('\n');
  const std::string_view target = rest.substr(0, newline);
  const std::string_view body_text =
      newline == std::string_view::npos ? std::string_view() : rest.substr(newline + 1);

  policy::ApiRequest request;
  request.method = method_of(data[0]);
  const std::size_t question = target.find('?');
  std::string_view path = target.substr(0, question);
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  if (!path.empty()) request.segments = split(path, '/');
  if (question != std::string_view::npos) {
    for (const auto& pair : split(target.substr(question + 1), '&')) {
      const std::size_t eq = pair.find('=');
      request.query.emplace_back(pair.substr(0, eq),
                                 eq == std::string::npos ? std::string() : pair.substr(eq + 1));
    }
  }
  if (!body_text.empty()) {
    const auto parsed = json::parse_strict(body_text);
    if (!parsed) return 0;  // moatd refuses such a body before the policy
    request.body = parsed->value;
    if (const auto* schema = schema_for(request.method, request.segments)) {
      auto canonical = go_json::canonicalize(parsed->value, *schema);
      if (canonical) request.body = std::move(*canonical);
    }
  }

  settings::AdminSettings admin;
  admin.values["blockDockerLoad"] = {(flags & 2) != 0, true};
  admin.values["moat.allowPlugins"] = {(flags & 4) != 0, true};
  admin.values["moat.allowSwarm"] = {(flags & 8) != 0, true};
  admin.values["moat.allowAnyLogDriver"] = {(flags & 16) != 0, true};
  if ((flags & 64) != 0) admin.values["portBindingBehavior"] = {"local-only-port-binding", true};
  if ((flags & 32) != 0) {
    admin.values["linuxVM.dockerDaemonOptions"] = {
        R"({"default-address-pools": [{"base": "10.255.0.0/16", "size": 24}, {"base": "fd00:1::/48", "size": 64}]})",
        true};
  }
  const settings::EffectiveSettings effective(admin, settings::UserSettings{});
  static const FixedHost host;
  static const FixedNetwork network;
  static const std::vector<policy::ProtectedPath> protected_paths{
      {"/run/moat/engine.sock", "the engine socket"}, {"/run/moat", "Moat's run directory"}};
  const policy::PolicyContext context{
      effective,
      policy::Caller{1000, 1000, 1, "/usr/bin/docker", "/home/dev"},
      protected_paths,
      (flags & 1) != 0,
      &host,
      &network};

  (void)policy::body_kind(request.method, request.segments);
  const policy::Decision first = policy::decide(request, context);
  const policy::Decision second = policy::decide(request, context);
  if (!(first == second)) __builtin_trap();
  if (first.rule.empty()) __builtin_trap();
  if (!first.allowed) {
    if (first.reason.empty()) __builtin_trap();
    if (first.message().rfind("Moat refused this request: ", 0) != 0) __builtin_trap();
    if (first.rule == "policy.internal-error") __builtin_trap();
  }
  return 0;
}

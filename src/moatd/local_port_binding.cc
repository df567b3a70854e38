#include "moatd/local_port_binding.h"

namespace moat::moatd {
namespace {

constexpr const char* kLoopback = "127.0.0.1";
constexpr const char* kNetworkDefault = "com.docker.network.bridge.host_binding_ipv4";

}  // namespace

bool creates_network(const http::CanonicalRequest& request) {
  return request.method == "POST" && request.segments.size() == 2 && request.segments[0] == "networks" &&
         request.segments[1] == "create";
}

void bind_unaddressed_ports(nlohmann::json& create_body) {
  if (!create_body.is_object()) return;
  const auto host = create_body.find("HostConfig");
  if (host == create_body.end() || !host->is_object()) return;
  const auto bindings = host->find("PortBindings");
  if (bindings == host->end() || !bindings->is_object()) return;
  for (auto& [port, list] : bindings->items()) {
    if (!list.is_array()) continue;
    for (auto& binding : list) {
      if (!binding.is_object()) continue;
      const auto address = binding.find("HostIp");
      if (address == binding.end() || (address->is_string() && address->get_ref<const std::string&>().empty())) {
        binding["HostIp"] = kLoopback;
      }
    }
  }
}

void bind_network_ports_locally(nlohmann::json& network_body) {
  if (!network_body.is_object()) return;
  const auto driver = network_body.value("Driver", std::string());
  if (!driver.empty() && driver != "bridge") return;
  if (const auto from = network_body.find("ConfigFrom"); from != network_body.end() && !from->is_null()) return;
  auto& options = network_body["Options"];
  if (!options.is_object()) options = nlohmann::json::object();
  if (!options.contains(kNetworkDefault)) options[kNetworkDefault] = kLoopback;
}

}  // namespace moat::moatd

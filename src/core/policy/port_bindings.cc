#include "core/policy/port_bindings.h"

#include "core/net/ip_prefix.h"

namespace moat::core::policy {
namespace {

using net::IpPrefix;

constexpr const char* kRule = "container.port-binding";
constexpr const char* kSetting = "portBindingBehavior";

bool is_loopback(const std::string& address) {
  const auto ip = IpPrefix::parse(address, true);
  if (!ip) return false;
  static const IpPrefix v4 = *IpPrefix::parse("127.0.0.0/8", false);
  static const IpPrefix v6 = *IpPrefix::parse("::1", true);
  return v4.contains(*ip) || v6.contains(*ip);
}

bool local_only(const PolicyContext& context) {
  return context.settings.value(kSetting) == "local-only-port-binding";
}

const char* const kOtherAddresses =
    "An admin can allow other addresses with \"portBindingBehavior\": {\"value\": "
    "\"default-local-port-binding\"} in admin-settings.json.";

}  // namespace

Decision judge_binding_address(const std::string& address, const std::string& subject,
                               const PolicyContext& context) {
  // Empty: moatd names 127.0.0.1 in both local modes.
  if (address.empty() || !local_only(context) || is_loopback(address)) {
    return Decision::allow(kRule);
  }
  return Decision::deny(kRule, kSetting,
                        subject + " is not allowed: published ports may listen only on this machine's "
                                  "loopback addresses (127.0.0.1, ::1)",
                        kOtherAddresses);
}

Decision judge_port_bindings(const Fields& host_config, const PolicyContext& context) {
  const auto publish_all = host_config.boolean("PublishAllPorts");
  if (!publish_all) return publish_all.error();
  if (*publish_all && local_only(context)) {
    return Decision::deny(kRule, kSetting,
                          "-P (--publish-all) is not allowed: it publishes every exposed port on each network's "
                          "own default address, which need not be loopback; publish each port with "
                          "-p 127.0.0.1:HOST_PORT:PORT",
                          kOtherAddresses);
  }
  const auto bindings = host_config.object_at("PortBindings");
  if (!bindings) return bindings.error();
  if (!bindings->present()) return Decision::allow(kRule);
  for (const auto& [port, list] : bindings->object->items()) {
    if (list.is_null()) continue;
    if (!list.is_array()) return malformed(bindings->pointer(port), "an array of port bindings");
    for (std::size_t i = 0; i < list.size(); ++i) {
      const auto binding = element_object(list, i, bindings->pointer(port));
      if (!binding) return binding.error();
      const auto address = binding->string("HostIp");
      if (!address) return address.error();
      const auto host_port = binding->string("HostPort");
      if (!host_port) return host_port.error();
      const std::string shown = address->find(':') != std::string::npos ? "[" + *address + "]" : *address;
      const Decision d = judge_binding_address(
          *address, "-p " + shown + ":" + *host_port + ":" + port, context);
      if (!d.allowed) return d;
    }
  }
  return Decision::allow(kRule);
}

}  // namespace moat::core::policy

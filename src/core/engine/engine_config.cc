#include "core/engine/engine_config.h"

#include "core/json/strict_json.h"

namespace moat::core::engine {
namespace {

using nlohmann::json;

std::string join(const json& list) {
  std::string out;
  for (const auto& item : list) {
    if (!out.empty()) out += ',';
    out += item.get_ref<const std::string&>();
  }
  return out;
}

}  // namespace

std::optional<ManualProxy> manual_proxy(const settings::EffectiveSettings& settings) {
  for (const std::string group : {"containersProxy", "proxy"}) {
    if (settings.value(group + ".mode") != "manual") continue;
    return ManualProxy{settings.value(group + ".http").get<std::string>(),
                       settings.value(group + ".https").get<std::string>(), join(settings.value(group + ".exclude"))};
  }
  return std::nullopt;
}

bool binds_ports_locally(const settings::EffectiveSettings& settings) {
  const auto& behavior = settings.value("portBindingBehavior");
  return behavior == "default-local-port-binding" || behavior == "local-only-port-binding";
}

EngineConfig derive_engine_config(const settings::EffectiveSettings& settings,
                                  const EngineLayout& layout) {
  EngineConfig config;
  const auto& options = settings.value("linuxVM.dockerDaemonOptions").get_ref<const std::string&>();
  // Already validated when the settings were loaded; an unparsable value here
  // would be a bug upstream, and the engine then starts with Moat's keys only.
  if (auto parsed = core::json::parse_strict(options); parsed && parsed->value.is_object()) {
    config.daemon_json = std::move(parsed->value);
  } else {
    config.daemon_json = json::object();
  }
  json& d = config.daemon_json;
  d["hosts"] = json::array({"unix://" + layout.socket});
  d["group"] = "root";  // the socket is root's alone; developers go through moatd
  d["data-root"] = layout.data_root;
  d["exec-root"] = layout.exec_root;
  d["pidfile"] = layout.pidfile;
  d["live-restore"] = false;
  d["default-runtime"] = "runc";  // resolved through PATH, see EngineLayout::runtime_dir
  if (binds_ports_locally(settings)) d["ip"] = "127.0.0.1";
  config.environment["PATH"] =
      layout.runtime_dir.empty() ? kSystemPath : layout.runtime_dir + ":" + kSystemPath;
  if (!layout.egress_proxy.empty()) {
    config.environment["HTTP_PROXY"] = layout.egress_proxy;
    config.environment["HTTPS_PROXY"] = layout.egress_proxy;
  } else if (const auto proxy = manual_proxy(settings)) {
    if (!proxy->http.empty()) config.environment["HTTP_PROXY"] = proxy->http;
    if (!proxy->https.empty()) config.environment["HTTPS_PROXY"] = proxy->https;
    if (!proxy->exclude.empty()) config.environment["NO_PROXY"] = proxy->exclude;
  }
  return config;
}

}  // namespace moat::core::engine

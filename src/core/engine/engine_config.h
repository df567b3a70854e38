#pragma once
// The engine's configuration, derived from the settings in force. Moat owns
// where the engine listens and keeps its state and which runtime it uses; the
// admin's dockerDaemonOptions fill in the rest (check_daemon_options has
// already refused anything that would override Moat's keys).

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/settings/effective_settings.h"

namespace moat::core::engine {

struct EngineLayout {
  std::string socket;     // root-only API socket, mode 0600
  std::string data_root;
  std::string exec_root;
  std::string pidfile;
  // A directory whose `runc` is Moat's runtime, put first on the engine's
  // PATH: dockerd, containerd's shims and the builders all run "runc" by
  // name, so every container goes through it, whatever runtime was asked
  // for. Empty: the system's runc (Enhanced Container Isolation off).
  std::string runtime_dir;
  // Moat's egress filter ("http://127.0.0.1:PORT") while moat.registryAccess
  // is on: then it is the engine's only proxy, with no exclusions, and the
  // admin's proxy settings are what the filter itself connects through.
  std::string egress_proxy;
};

// The admin's proxy for the engine: containersProxy in manual mode outranks
// proxy, as in Docker Desktop; "system" mode (nullopt) leaves the
// environment of `moatctl up` in place.
struct ManualProxy {
  std::string http;
  std::string https;
  std::string exclude;  // comma-separated, as NO_PROXY takes it
};
std::optional<ManualProxy> manual_proxy(const settings::EffectiveSettings& settings);

// portBindingBehavior is one of its local modes ("default-local-port-binding",
// "local-only-port-binding"): a port published without an address listens on
// 127.0.0.1. The engine's "ip" does that on its default bridge; moatd names
// the address elsewhere (moatd/local_port_binding.h).
bool binds_ports_locally(const settings::EffectiveSettings& settings);

inline constexpr const char* kSystemPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

struct EngineConfig {
  nlohmann::json daemon_json;
  std::map<std::string, std::string> environment;  // dockerd's whole environment
};

EngineConfig derive_engine_config(const settings::EffectiveSettings& settings,
                                  const EngineLayout& layout);

}  // namespace moat::core::engine

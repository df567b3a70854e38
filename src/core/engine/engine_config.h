#pragma once
// The engine's configuration, derived from the settings in force. Moat owns
// where the engine listens and keeps its state and which runtime it uses; the
// admin's dockerDaemonOptions fill in the rest (check_daemon_options has
// already refused anything that would override Moat's keys).

#include <map>
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
  std::string runtime;    // absolute path of the OCI runtime every container uses
  std::vector<std::string> runtime_args;
};

struct EngineConfig {
  nlohmann::json daemon_json;
  std::map<std::string, std::string> environment;  // proxy variables for dockerd
};

EngineConfig derive_engine_config(const settings::EffectiveSettings& settings,
                                  const EngineLayout& layout);

}  // namespace moat::core::engine

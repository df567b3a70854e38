#pragma once
// moatd's control API for moatctl: status, developer settings, reload. Who
// may do what is decided from the kernel's peer credentials only.

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "core/settings/settings_state.h"
#include "core/stack/layout.h"
#include "moatd/audit_sink.h"
#include "moatd/peer_credentials.h"

namespace moat::moatd {

struct ControlResponse {
  unsigned status = 200;
  nlohmann::json body;
};

class ControlApi {
 public:
  ControlApi(core::stack::Layout layout, core::settings::SettingsState state, AuditSink& audit);

  ControlResponse handle(const std::string& method, const std::string& target,
                         const std::string& body, const PeerCredentials& peer);

  // Re-reads the settings files; logs what changed or why the file is refused.
  void reload();

  const core::settings::SettingsState& settings() const { return state_; }
  // The settings in force, rebuilt only when they change: every request
  // the guard judges reads them.
  std::shared_ptr<const core::settings::EffectiveSettings> effective() const { return effective_; }
  nlohmann::json status() const;
  const core::stack::Layout& layout() const { return layout_; }
  // Before the log's files are read: what moatd staged is written first.
  void write_staged_records() { (void)audit_.write_staged(); }

 private:
  ControlResponse set_setting(const std::string& body, const PeerCredentials& peer);
  // Writes the decision to the audit log first; a refusal when it cannot.
  ControlResponse audited(ControlResponse response, const PeerCredentials& peer, const std::string& request,
                          const std::string& rule);

  void refresh_effective();

  core::stack::Layout layout_;
  AuditSink& audit_;
  core::settings::SettingsState state_;
  std::shared_ptr<const core::settings::EffectiveSettings> effective_;
};

}  // namespace moat::moatd

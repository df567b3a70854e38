#include "moatd/control_api.h"

#include <iostream>

#include "core/json/strict_json.h"
#include "core/settings/setting_spec.h"
#include "core/trust/settings_signature.h"
#include "moatd/audit_records_api.h"
#include "moatd/syslog_export.h"

namespace moat::moatd {
namespace {

using nlohmann::json;

ControlResponse message(unsigned status, std::string text) {
  return {status, {{"message", std::move(text)}}};
}

}  // namespace

ControlApi::ControlApi(core::stack::Layout layout, core::settings::SettingsState state, AuditSink& audit)
    : layout_(std::move(layout)), audit_(audit), state_(std::move(state)) {
  refresh_effective();
}

void ControlApi::refresh_effective() {
  effective_ = std::make_shared<const core::settings::EffectiveSettings>(state_.effective());
}

ControlResponse ControlApi::audited(ControlResponse response, const PeerCredentials& peer,
                                    const std::string& request, const std::string& rule) {
  core::audit::Record r;
  r.caller = core::audit::Caller{peer.uid, static_cast<std::uint32_t>(peer.pid), peer.executable};
  r.request = request;
  r.rule = rule;
  r.outcome = response.status == 200 ? core::audit::Outcome::kAllow : core::audit::Outcome::kDeny;
  r.reason = response.body.value("message", "");
  if (!audit_.record(std::move(r))) {
    return message(503, kAuditUnwritableMessage);
  }
  return response;
}

json ControlApi::status() const {
  const auto effective = state_.effective();
  json locked = json::array();
  for (const auto& [key, v] : effective.all()) {
    if (v.locked) locked.push_back(key);
  }
  json notes = json::array();
  for (const auto& n : state_.admin.notes) notes.push_back({{"key", n.key}, {"message", n.message}});
  return {
      {"settings",
       {{"source", state_.source()},
        {"usingLastGood", state_.using_last_good},
        {"withoutPolicy", state_.without_policy},
        {"problems", state_.problems},
        {"locked", locked},
        {"notes", notes}}},
      {"effective", effective.to_json()},
      {"guard", {{"mode", "guarded"}}},
      {"audit", audit_.status()},
      {"auditExport", audit_export_status()},
  };
}

void ControlApi::reload() {
  const bool was_refused = state_.using_last_good || state_.without_policy;
  // With a pinned key, a file without a valid signature is as broken as
  // one that does not parse: the last good settings stay.
  bool changed = false;
  if (auto signature = core::trust::check_settings_signature(layout_); !signature) {
    changed = !was_refused;
    state_.using_last_good = !state_.without_policy;
    state_.problems = {signature.error().message};
  } else {
    changed = core::settings::reload_settings_state(state_, layout_.user_settings(), true);
  }
  refresh_effective();
  if (state_.without_policy) {
    if (changed) std::cerr << "moatd: settings still refused; every request stays refused\n";
  } else if (state_.using_last_good) {
    if (!was_refused) {
      std::cerr << "moatd: settings refused; keeping the last good settings:\n";
      for (const auto& p : state_.problems) std::cerr << "  " << p << "\n";
    }
  } else if (changed || was_refused) {
    std::cerr << "moatd: settings reloaded from " << state_.source() << "\n";
  }
}

ControlResponse ControlApi::set_setting(const std::string& body, const PeerCredentials& peer) {
  const auto doc = core::json::parse_strict(body);
  if (!doc || !doc->value.is_object() || !doc->value.contains("key") ||
      !doc->value["key"].is_string() || !doc->value.contains("value") ||
      !doc->value["value"].is_string()) {
    return message(400, "expected {\"key\": string, \"value\": string}");
  }
  const std::string key = doc->value["key"].get<std::string>();
  const std::string text = doc->value["value"].get<std::string>();
  if (state_.using_last_good || state_.without_policy) {
    return message(503, "settings cannot change while the admin settings file is refused: " +
                            state_.problems.front());
  }
  const auto value = core::settings::check_developer_change(state_.effective(), key, text);
  if (!value) return message(403, value.error().message);
  core::settings::UserSettings updated = state_.user;
  updated.values[key] = *value;
  updated.set_by_uid[key] = peer.uid;
  if (const auto saved = core::settings::save_user_settings(layout_.user_settings(), updated); !saved) {
    return message(500, saved.error().message);
  }
  state_.user = std::move(updated);
  refresh_effective();
  std::cerr << "moatd: uid " << peer.uid << " set " << key << " to " << value->dump() << "\n";
  std::string reply = key + " set to " + value->dump();
  if (const auto* spec = core::settings::find_setting(key); spec && spec->engine_setting) {
    reply += "; the engine uses it after the stack restarts";
  }
  return message(200, reply);
}

ControlResponse ControlApi::handle(const std::string& method, const std::string& target,
                                   const std::string& body, const PeerCredentials& peer) {
  if (method == "GET" && target == "/status") return {200, status()};
  if (method == "POST" && target == "/settings") {
    auto response = set_setting(body, peer);
    const std::string rule = response.status == 200 ? "settings.changed" : "settings.refused";
    return audited(std::move(response), peer, "POST /settings " + body, rule);
  }
  if (method == "POST" && target == kRuntimeRecordsPath) return record_runtime_decision(audit_, body, peer);
  if (is_audit_read(method, target)) {
    (void)audit_.write_staged();
    return read_audit_records(layout_, target, peer);
  }
  if (method == "POST" && target == kWriteStagedPath) return write_staged_for_reader(audit_);
  if (method == "POST" && target == "/reload") {
    if (peer.uid != 0) return message(403, "only root may reload Moat's settings");
    reload();
    return {200, status()};
  }
  return message(404, "no control endpoint " + method + " " + target);
}

}  // namespace moat::moatd

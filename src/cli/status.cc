#include <grp.h>
#include <sys/stat.h>

#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/stack_probe.h"
#include "cli/stack_processes.h"
#include "cli/stack_record.h"
#include "core/settings/settings_state.h"

namespace moat::cli {
namespace {

using nlohmann::json;

json socket_facts(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {{"path", path}, {"exists", false}};
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777U));
  const struct group* g = ::getgrgid(st.st_gid);
  return {{"path", path}, {"exists", true}, {"mode", mode}, {"owner", st.st_uid},
          {"group", g ? g->gr_name : std::to_string(st.st_gid)}};
}

// Settings as moatd holds them, or as the files say when moatd is not there.
json settings_facts(const core::stack::Layout& layout, const std::optional<json>& guard) {
  if (guard && guard->contains("settings")) return (*guard)["settings"];
  const auto state = core::settings::load_settings_state(
      layout.admin_settings, layout.user_settings(),
      layout.admin_settings == core::stack::kDefaultAdminSettings);
  if (!state) return {{"source", layout.admin_settings}, {"valid", false}, {"problems", state.error()}};
  json locked = json::array();
  const auto effective = state->effective();
  for (const auto& [key, v] : effective.all()) {
    if (v.locked) locked.push_back(key);
  }
  return {{"source", state->source()}, {"usingLastGood", false}, {"problems", json::array()},
          {"locked", locked}};
}

// Loud on purpose: an audit log that cannot be written is either refusing
// every request or letting them through unrecorded.
void print_audit(const json& audit) {
  if (!audit.is_object()) return;
  if (audit.contains("off")) {
    std::cout << "  WARNING  " << audit["off"].get<std::string>() << "\n";
    return;
  }
  std::cout << "  audit    last record #" << audit.value("lastSeq", 0ULL) << "\n";
  const auto held = audit.value("heldRecords", 0ULL);
  if (audit.value("failedWrites", 0ULL) == 0) return;
  if (held == 0) {
    std::cout << "  note     " << audit.value("failedWrites", 0ULL)
              << " audit records were held while the log could not be written; all are written since\n";
    return;
  }
  std::cout << "  WARNING  " << audit.value("failedWrites", 0ULL) << " audit records could not be written ("
            << (audit.contains("lastError") && audit["lastError"].is_string() ? audit["lastError"].get<std::string>() : "") << "); " << held
            << " held in memory until the log takes writes again; "
            << (audit.value("onWriteFailure", "refuse") == "refuse" ? "requests are refused meanwhile"
                                                                    : "requests CONTINUE UNRECORDED meanwhile")
            << "\n";
}

void print_audit_export(const json& e) {
  if (!e.is_object() || e.value("state", "off") == "off") return;
  std::cout << "  syslog   " << e.value("state", "") << " to " << e.value("target", "");
  if (e.contains("error") && e["error"].is_string()) std::cout << ": " << e["error"].get<std::string>();
  std::cout << "\n";
  if (!e.contains("logs") || !e["logs"].is_object()) return;
  for (const auto& log : e["logs"]) {
    const auto behind = log.value("recordsBehind", 0ULL);
    const bool failing = log.contains("lastError") && log["lastError"].is_string();
    if (behind == 0 && !failing) continue;
    std::cout << "  WARNING  " << behind << " audit entries not yet at the collector";
    if (failing) std::cout << " (" << log["lastError"].get<std::string>() << ")";
    std::cout << "\n";
  }
}

void print_human(const json& s) {
  std::cout << "Moat: " << s["state"].get<std::string>() << "\n";
  for (const char* name : {"dockerd", "moatd"}) {
    const json& c = s["components"][name];
    std::cout << "  " << name << (std::string(name) == "moatd" ? "    " : "  ");
    if (!c["running"].get<bool>()) {
      std::cout << "not running\n";
      continue;
    }
    std::cout << "running (pid " << c["pid"] << "), "
              << (c["responding"].get<bool>() ? "answering" : "NOT answering") << " on "
              << c["socket"]["path"].get<std::string>();
    if (c["socket"].value("exists", false)) {
      std::cout << " (" << c["socket"]["mode"].get<std::string>() << " group "
                << c["socket"]["group"].get<std::string>() << ")";
    }
    std::cout << "\n";
  }
  const json& eci = s["eci"];
  std::cout << "  ECI      " << (eci["requested"].get<bool>() ? "requested" : "off")
            << (eci["active"].get<bool>() ? ", active" : ", not active: " + eci["note"].get<std::string>())
            << "\n";
  const json& st = s["settings"];
  std::cout << "  settings " << st["source"].get<std::string>() << "\n";
  if (st.value("usingLastGood", false)) {
    std::cout << "  WARNING  the settings file is refused; the last good settings stay in force:\n";
  }
  for (const auto& p : st.value("problems", json::array())) std::cout << "    " << p.get<std::string>() << "\n";
  std::string locked;
  for (const auto& k : st.value("locked", json::array())) locked += (locked.empty() ? "" : ", ") + k.get<std::string>();
  std::cout << "  locked   " << locked << "\n";
  print_audit(s.value("audit", json()));
  print_audit_export(s.value("auditExport", json()));
}

}  // namespace

int run_status(const StackOptions& options, bool as_json) {
  const auto layout = core::stack::make_layout(options.root, options.admin_settings);
  const StackRecord record = read_stack_record_or_empty(layout, "moatctl status", "");
  const bool engine_running = recorded_engine(record) != 0;
  const bool engine_ok = engine_answers(layout);
  const auto guard = moatd_status(layout);
  const bool guard_running = recorded_guard(record) != 0;
  json s;
  s["components"]["dockerd"] = {{"pid", record.dockerd}, {"running", engine_running},
                                {"responding", engine_ok}, {"socket", socket_facts(layout.engine_socket())},
                                {"version", engine_ok ? json(engine_version(layout).value_or("")) : json()}};
  s["components"]["moatd"] = {{"pid", record.moatd}, {"running", guard_running || guard.has_value()},
                              {"responding", guard.has_value()}, {"socket", socket_facts(layout.user_socket())},
                              {"mode", guard ? (*guard)["guard"]["mode"] : json()}};
  s["settings"] = settings_facts(layout, guard);
  const bool eci_requested = guard ? (*guard)["effective"]["enhancedContainerIsolation"]["value"].get<bool>() : true;
  s["eci"] = {{"requested", eci_requested}, {"active", record.eci_active}, {"runtime", record.runtime},
              {"note", record.eci_note}};
  s["audit"] = guard ? (*guard)["audit"] : json();
  s["auditExport"] = guard && guard->contains("auditExport") ? (*guard)["auditExport"] : json();
  s["root"] = {{"run", layout.run_dir}, {"lib", layout.lib_dir}};
  s["startedAt"] = record.started_at;
  const bool all_up = engine_ok && guard.has_value();
  const bool any_up = engine_running || engine_ok || guard_running || guard.has_value();
  s["state"] = all_up ? "running" : any_up ? "degraded" : "stopped";
  if (as_json) {
    std::cout << s.dump(2) << "\n";
  } else {
    print_human(s);
  }
  return all_up ? 0 : any_up ? 1 : 3;
}

}  // namespace moat::cli

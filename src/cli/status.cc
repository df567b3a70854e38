#include <grp.h>
#include <sys/stat.h>

#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/stack_probe.h"
#include "cli/stack_record.h"
#include "core/settings/settings_state.h"
#include "core/sys/process.h"

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
}

}  // namespace

int run_status(const StackOptions& options, bool as_json) {
  const auto layout = core::stack::make_layout(options.root, options.admin_settings);
  const auto record = read_stack_record(layout).value_or(StackRecord{});
  const bool engine_running = core::sys::process_alive(record.dockerd);
  const bool engine_ok = engine_answers(layout);
  const auto guard = moatd_status(layout);
  const bool guard_running = core::sys::process_alive(record.moatd);
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

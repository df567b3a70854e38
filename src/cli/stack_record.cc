#include "cli/stack_record.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/json/strict_json.h"

namespace moat::cli {

std::optional<StackRecord> read_stack_record(const core::stack::Layout& layout) {
  std::ifstream in(layout.stack_record());
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  const auto doc = core::json::parse_strict(ss.str());
  if (!doc || !doc->value.is_object()) return std::nullopt;
  const auto& j = doc->value;
  StackRecord r;
  r.dockerd = j.value("dockerd", 0);
  r.moatd = j.value("moatd", 0);
  r.admin_settings = j.value("adminSettings", "");
  r.started_at = j.value("startedAt", "");
  r.runtime = j.value("runtime", "");
  r.eci_active = j.value("eciActive", false);
  r.eci_note = j.value("eciNote", "");
  r.egress_port = j.value("egressPort", 0);
  return r;
}

bool write_stack_record(const core::stack::Layout& layout, const StackRecord& r) {
  const nlohmann::json j = {{"dockerd", r.dockerd},          {"moatd", r.moatd},
                            {"adminSettings", r.admin_settings}, {"startedAt", r.started_at},
                            {"runtime", r.runtime},          {"eciActive", r.eci_active},
                            {"eciNote", r.eci_note},         {"egressPort", r.egress_port}};
  std::ofstream out(layout.stack_record(), std::ios::trunc);
  out << j.dump(2) << "\n";
  return static_cast<bool>(out);
}

std::string dockerd_path() {
  for (const char* p : {"/usr/sbin/dockerd", "/usr/bin/dockerd"}) {
    if (::access(p, X_OK) == 0) return p;
  }
  return "/usr/sbin/dockerd";
}

std::string sibling_executable(const std::string& name) {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return (self.parent_path() / name).string();
}

}  // namespace moat::cli

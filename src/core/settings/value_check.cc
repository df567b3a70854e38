#include "core/settings/value_check.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "core/audit/export/syslog_target.h"
#include "core/json/strict_json.h"
#include "core/settings/daemon_options.h"

namespace moat::core::settings {
namespace {

using nlohmann::json;
using Problems = std::vector<ValueProblem>;

bool is_string_list(const json& v) {
  if (!v.is_array()) return false;
  for (const auto& e : v) {
    if (!e.is_string()) return false;
  }
  return true;
}

std::string trim(std::string s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string::npos) return {};
  const auto last = s.find_last_not_of(" \t");
  return s.substr(first, last - first + 1);
}

json split_list(const std::string& text) {
  json out = json::array();
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto comma = text.find(',', start);
    const std::string item = trim(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (!item.empty()) out.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

void check_daemon_options_value(json& value, Problems& out) {
  if (!value.is_string()) {
    out.push_back({"", "expected a string holding a JSON object of dockerd options, found " +
                           describe_type(value)});
    return;
  }
  const auto parsed = core::json::parse_strict(value.get<std::string>());
  if (!parsed) {
    out.push_back({"", "is not valid JSON: " + parsed.error().message + " (inside the string, line " +
                           std::to_string(parsed.error().where.line) + " column " +
                           std::to_string(parsed.error().where.column) + ")"});
    return;
  }
  for (auto& message : check_daemon_options(parsed->value)) out.push_back({"", std::move(message)});
}

// Host directory roots may start with the variables Docker Desktop expands.
bool valid_share_path(const std::string& path) {
  for (const char* var : {"$HOME", "$TMP", "$TEMP"}) {
    const std::string v = var;
    if (path == v || path.starts_with(v + "/")) return true;
  }
  return path.starts_with("/");
}

void check_share_directories(const json& value, Problems& out) {
  if (!value.is_array()) {
    out.push_back({"", "expected an array of {\"path\", \"sharedByDefault\"} objects, found " +
                           describe_type(value)});
    return;
  }
  for (std::size_t i = 0; i < value.size(); ++i) {
    const json& entry = value[i];
    const std::string at = "/" + std::to_string(i);
    if (!entry.is_object()) {
      out.push_back({at, "expected an object with \"path\", found " + describe_type(entry)});
      continue;
    }
    for (const auto& [k, v] : entry.items()) {
      if (k == "path") {
        if (!v.is_string() || !valid_share_path(v.get<std::string>())) {
          out.push_back({at + "/path", "expected an absolute path or one starting with $HOME, "
                                       "$TMP or $TEMP"});
        }
      } else if (k == "sharedByDefault") {
        if (!v.is_boolean()) {
          out.push_back({at + "/sharedByDefault", "expected true or false, found " + describe_type(v)});
        }
      } else {
        out.push_back({at + "/" + k, "unknown key; expected \"path\" and \"sharedByDefault\""});
      }
    }
    if (!entry.contains("path")) out.push_back({at, "is missing \"path\""});
  }
}

// host, host:port, or [ipv6]:port; lower or upper case, as registries are named.
bool valid_registry_address(const std::string& address) {
  if (address.empty() || address.size() > 255) return false;
  for (const char c : address) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-' || c == ':' || c == '[' || c == ']';
    if (!ok) return false;
  }
  return true;
}

void check_registries(const json& value, Problems& out) {
  if (!value.is_array()) {
    out.push_back({"", "expected an array of registry objects, found " + describe_type(value)});
    return;
  }
  std::set<std::string> seen;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const json& entry = value[i];
    const std::string at = "/" + std::to_string(i);
    if (!entry.is_object()) {
      out.push_back({at, "expected an object with \"address\", found " + describe_type(entry)});
      continue;
    }
    for (const auto& [k, v] : entry.items()) {
      if (k == "address") {
        if (!v.is_string() || !valid_registry_address(v.get<std::string>())) {
          out.push_back({at + "/address", "expected a registry host, host:port or [ipv6]:port"});
        } else {
          std::string lower = v.get<std::string>();
          for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          if (!seen.insert(lower).second) {
            out.push_back({at + "/address", "registry \"" + lower + "\" is listed twice"});
          }
        }
      } else if (k == "nickname") {
        if (!v.is_string()) out.push_back({at + "/nickname", "expected a string"});
      } else if (k == "pull" || k == "push") {
        if (!v.is_boolean()) out.push_back({at + "/" + k, "expected true or false, found " + describe_type(v)});
      } else if (k == "auxiliaryHosts") {
        if (!is_string_list(v)) out.push_back({at + "/auxiliaryHosts", "expected an array of host names"});
      } else {
        out.push_back({at + "/" + k, "unknown key; expected address, nickname, pull, push, auxiliaryHosts"});
      }
    }
    if (!entry.contains("address")) out.push_back({at, "is missing \"address\""});
  }
}

// The syslog export settings are strings with a shape: a target the
// exporter can parse, and files named by absolute path (moatd's working
// directory is no place to look for a CA).
void check_syslog_value(const std::string& key, const std::string& text, Problems& out) {
  if (key == "moat.audit.syslog") {
    if (const auto target = audit::exporter::parse_syslog_target(text); !target) {
      out.push_back({"", target.error().message});
    }
  } else if (key == "moat.audit.syslogCaFile" || key == "moat.audit.syslogClientCert" ||
             key == "moat.audit.syslogClientKey") {
    if (!text.empty() && !text.starts_with('/')) {
      out.push_back({"", "\"" + text + "\" must be an absolute path"});
    }
  }
}

}  // namespace

std::string describe_type(const json& value) {
  switch (value.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return value.get<bool>() ? "true" : "false";
    case json::value_t::string: return "a string";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return "the number " + value.dump();
    case json::value_t::number_float: return "the number " + value.dump();
    case json::value_t::object: return "an object";
    case json::value_t::array: return "an array";
    case json::value_t::binary:
    case json::value_t::discarded: return "an invalid value";
  }
  return "an invalid value";
}

std::vector<ValueProblem> check_value(const SettingSpec& spec, json& value) {
  Problems out;
  switch (spec.kind) {
    case ValueKind::kBool:
      if (!value.is_boolean()) out.push_back({"", "expected true or false, found " + describe_type(value)});
      break;
    case ValueKind::kString:
      if (!value.is_string()) {
        out.push_back({"", "expected a string, found " + describe_type(value)});
      } else {
        check_syslog_value(spec.key, value.get<std::string>(), out);
      }
      break;
    case ValueKind::kInteger:
      if (!value.is_number_integer()) {
        out.push_back({"", "expected a whole number, found " + describe_type(value)});
      } else if (const auto n = value.get<long long>(); n < spec.min || n > spec.max) {
        out.push_back({"", std::to_string(n) + " is out of range; expected " +
                               std::to_string(spec.min) + " to " + std::to_string(spec.max)});
      }
      break;
    case ValueKind::kEnum: {
      std::string list;
      for (const auto& c : spec.choices) list += (list.empty() ? "\"" : ", \"") + c + "\"";
      if (!value.is_string()) {
        out.push_back({"", "expected one of " + list + ", found " + describe_type(value)});
      } else if (std::find(spec.choices.begin(), spec.choices.end(), value.get<std::string>()) ==
                 spec.choices.end()) {
        out.push_back({"", "\"" + value.get<std::string>() + "\" is not one of " + list});
      }
      break;
    }
    case ValueKind::kStringList:
      if (!is_string_list(value)) out.push_back({"", "expected an array of strings, found " + describe_type(value)});
      break;
    case ValueKind::kStringOrList:
      if (value.is_string()) {
        value = split_list(value.get<std::string>());
      } else if (!is_string_list(value)) {
        out.push_back({"", "expected a comma-separated string or an array of strings, found " +
                               describe_type(value)});
      }
      break;
    case ValueKind::kDaemonOptions: check_daemon_options_value(value, out); break;
    case ValueKind::kShareDirectories: check_share_directories(value, out); break;
    case ValueKind::kRegistries: check_registries(value, out); break;
  }
  return out;
}

}  // namespace moat::core::settings

#include "core/audit/export/syslog_message.h"

#include <variant>

namespace moat::core::audit::exporter {
namespace {

constexpr int kSeverityError = 3;
constexpr int kSeverityWarning = 4;
constexpr int kSeverityInfo = 6;
// RFC 5424 section 6.4: a UTF-8 MSG starts with the byte order mark.
constexpr std::string_view kBom = "\xEF\xBB\xBF";

void add_param(std::string& out, std::string_view name, std::string_view value) {
  out += ' ';
  out += name;
  out += "=\"";
  out += escape_param_value(value);
  out += '"';
}

std::string structured_data(const Entry& entry) {
  std::string sd = "[";
  sd += kSdId;
  if (const auto* record = std::get_if<Record>(&entry)) {
    add_param(sd, "seq", std::to_string(record->seq));
    add_param(sd, "rule", record->rule);
    add_param(sd, "outcome", to_string(record->outcome));
    if (record->caller) add_param(sd, "uid", std::to_string(record->caller->uid));
    if (record->container) add_param(sd, "container", *record->container);
  } else {
    add_param(sd, "seq", std::to_string(seq_of(entry)));
    add_param(sd, "type", "checkpoint");
  }
  sd += ']';
  return sd;
}

Timestamp time_of(const Entry& entry) {
  return std::visit([](const auto& e) { return e.time; }, entry);
}

}  // namespace

int syslog_priority(const Entry& entry) {
  int severity = kSeverityInfo;
  if (const auto* record = std::get_if<Record>(&entry)) {
    if (record->outcome == Outcome::kDeny) severity = kSeverityWarning;
    if (record->outcome == Outcome::kError) severity = kSeverityError;
  }
  return kFacilityAuthpriv * 8 + severity;
}

std::string escape_param_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\' || c == ']') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7f) {
      out += '?';
    } else {
      out += c;
    }
  }
  return out;
}

std::string syslog_hostname(std::string_view hostname) {
  if (hostname.empty()) return "-";
  std::string out;
  for (const char c : hostname.substr(0, 255)) {
    const auto u = static_cast<unsigned char>(c);
    out += (u > 0x20 && u < 0x7f) ? c : '-';
  }
  return out;
}

std::string format_syslog_message(const Entry& entry, std::string_view line, Component component,
                                  std::string_view hostname) {
  std::string out = "<" + std::to_string(syslog_priority(entry)) + ">1 ";
  out += format_time(time_of(entry));
  out += ' ';
  out += syslog_hostname(hostname);
  out += " moat - ";
  // One log holds every component's records: each says which one decided.
  const auto* record = std::get_if<Record>(&entry);
  out += to_string(record != nullptr ? record->component : component);
  out += ' ';
  out += structured_data(entry);
  out += ' ';
  out += kBom;
  out += line;
  return out;
}

std::string octet_counted_frame(std::string_view message) {
  std::string out = std::to_string(message.size());
  out += ' ';
  out += message;
  return out;
}

}  // namespace moat::core::audit::exporter

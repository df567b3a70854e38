#include "moatd/audit_records_api.h"

#include <algorithm>
#include <charconv>

#include "core/audit/query.h"
#include "core/json/strict_json.h"
#include "moatd/http/request_target.h"

namespace moat::moatd {
namespace {

using nlohmann::json;
namespace audit = core::audit;

constexpr std::size_t kMaxRecordsPerAnswer = 10000;

ControlResponse message(unsigned status, std::string text) { return {status, {{"message", std::move(text)}}}; }

std::optional<std::string> string_field(const json& doc, const char* key, bool required) {
  if (!doc.contains(key)) return required ? std::nullopt : std::optional<std::string>(std::string());
  if (!doc[key].is_string()) return std::nullopt;
  return doc[key].get<std::string>();
}

std::optional<std::size_t> parse_count(const std::string& text) {
  std::size_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value == 0) return std::nullopt;
  return std::min(value, kMaxRecordsPerAnswer);
}

}  // namespace

ControlResponse record_runtime_decision(AuditSink& sink, const std::string& body, const PeerCredentials& peer) {
  if (peer.uid != 0) return message(403, "only root (moat-runc) may write runtime audit records");
  const auto doc = core::json::parse_strict(body);
  constexpr const char* kShape =
      "expected {\"container\", \"request\", \"rule\", \"outcome\": allow|deny|error, \"reason\"}, all strings";
  if (!doc || !doc->value.is_object() || doc->value.size() > 5) return message(400, kShape);
  const auto container = string_field(doc->value, "container", true);
  const auto request = string_field(doc->value, "request", true);
  const auto rule = string_field(doc->value, "rule", true);
  const auto outcome_text = string_field(doc->value, "outcome", true);
  const auto reason = string_field(doc->value, "reason", false);
  if (!container || !request || !rule || !outcome_text || !reason) return message(400, kShape);
  const auto outcome = audit::outcome_from_string(*outcome_text);
  if (!outcome) return message(400, kShape);
  audit::Record r;
  r.component = audit::Component::kMoatRunc;
  r.caller = audit::Caller{peer.uid, static_cast<std::uint32_t>(peer.pid), peer.executable};
  r.container = *container;
  r.request = *request;
  r.rule = *rule;
  r.outcome = *outcome;
  r.reason = *reason;
  if (!sink.record(std::move(r))) return message(503, kAuditUnwritableMessage);
  return message(200, "recorded");
}

ControlResponse write_staged_for_reader(AuditSink& audit) {
  if (auto written = audit.write_staged(); !written) {
    return message(503, "the audit records moatd has staged could not be written to audit.log: " +
                            written.error().message);
  }
  return message(200, "staged audit records written");
}

bool is_audit_read(const std::string& method, const std::string& target) {
  return method == "GET" && (target == kAuditRecordsPath || target.starts_with(std::string(kAuditRecordsPath) + "?"));
}

ControlResponse read_audit_records(const core::stack::Layout& layout, const std::string& target,
                                   const PeerCredentials& peer) {
  const auto parsed = http::parse_target(target);
  if (!parsed) return message(400, parsed.error().message);
  audit::QueryFilter filter;
  std::size_t limit = 1000;
  std::optional<std::size_t> tail;
  for (const auto& [key, value] : parsed->query) {
    if (key == "tail" || key == "limit") {
      const auto n = parse_count(value);
      if (!n) return message(400, key + " must be a positive number, got \"" + value + "\"");
      if (key == "tail") {
        tail = *n;
      } else {
        limit = *n;
      }
    } else if (key == "since" || key == "until") {
      const auto t = audit::parse_time(value);
      if (!t) return message(400, key + ": " + t.error().message);
      (key == "since" ? filter.since : filter.until) = *t;
    } else if (key == "rule") {
      filter.rule = value;
    } else if (key == "container") {
      filter.container = value;
    } else if (key == "outcome") {
      filter.outcome = audit::outcome_from_string(value);
      if (!filter.outcome) return message(400, "outcome must be allow, deny or error");
    } else if (key == "component") {
      filter.component = audit::component_from_string(value);
      if (!filter.component) return message(400, "component must be moatd, moat-runc or moatctl");
    } else if (key == "uid") {
      std::uint32_t uid = 0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), uid);
      if (ec != std::errc() || end != value.data() + value.size()) return message(400, "uid must be a number");
      if (peer.uid != 0 && uid != peer.uid) {
        return message(403, "only root reads other users' audit records; uid " + std::to_string(peer.uid) +
                                " reads its own");
      }
      filter.caller_uid = uid;
    } else {
      return message(400, "unknown parameter \"" + key + "\"");
    }
  }
  if (peer.uid != 0) filter.caller_uid = peer.uid;
  // A tail of the matching records: the newest `tail`, oldest first.
  const auto records = audit::query(layout.audit_log_dir("moatd"), filter, tail ? SIZE_MAX : limit);
  if (!records) return message(500, "reading the audit log: " + records.error().message);
  json lines = json::array();
  const std::size_t skip = tail && records->size() > *tail ? records->size() - *tail : 0;
  for (std::size_t i = skip; i < records->size(); ++i) lines.push_back(audit::to_line((*records)[i]));
  return {200, {{"records", std::move(lines)}}};
}

}  // namespace moat::moatd

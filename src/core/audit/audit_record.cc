#include "core/audit/audit_record.h"

#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

#include "core/audit/base64.h"
#include "core/audit/hash_chain.h"
#include "core/audit/signing_key.h"
#include "core/json/json_string.h"
#include "core/json/strict_json.h"

namespace moat::core::audit {
namespace {

using Json = nlohmann::json;

std::string dump(const Json& object) {
  return object.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Unexpected<AuditError> malformed(std::string message) {
  return audit_fail(AuditErrc::kMalformedLine, std::move(message));
}

// Every key must be known; `required` keys must be present.
Result<void, AuditError> check_keys(const Json& object,
                                    std::initializer_list<std::string_view> required,
                                    std::initializer_list<std::string_view> optional) {
  for (const auto& [key, value] : object.items()) {
    bool known = false;
    for (const auto name : required) known = known || key == name;
    for (const auto name : optional) known = known || key == name;
    if (!known) return malformed("unknown field \"" + key + "\"");
  }
  for (const auto name : required) {
    if (!object.contains(name)) return malformed("missing field \"" + std::string(name) + "\"");
  }
  return {};
}

Result<std::string, AuditError> get_string(const Json& object, const char* key) {
  const Json& value = object.at(key);
  if (!value.is_string()) return malformed(std::string("field \"") + key + "\" must be a string");
  return value.get<std::string>();
}

Result<std::uint64_t, AuditError> get_unsigned(const Json& object, const char* key,
                                               std::uint64_t min, std::uint64_t max) {
  const Json& value = object.at(key);
  // nlohmann stores non-negative integers as unsigned; negatives and
  // anything with a fraction or exponent are other types and refused here.
  if (!value.is_number_unsigned()) {
    return malformed(std::string("field \"") + key + "\" must be an unsigned integer");
  }
  const auto number = value.get<std::uint64_t>();
  if (number < min || number > max) {
    return malformed(std::string("field \"") + key + "\" is out of range (" + std::to_string(min) +
                     ".." + std::to_string(max) + ")");
  }
  return number;
}

Result<std::string, AuditError> get_hash(const Json& object, const char* key) {
  auto text = get_string(object, key);
  if (!text) return text;
  if (!is_sha256_hex(*text)) {
    return malformed(std::string("field \"") + key + "\" must be 64 lower-case hex digits");
  }
  return text;
}

Result<Timestamp, AuditError> get_time(const Json& object) {
  auto text = get_string(object, "time");
  if (!text) return moat::unexpected(std::move(text).error());
  return parse_time(*text);
}

Result<Caller, AuditError> parse_caller(const Json& value) {
  if (!value.is_object()) return malformed("field \"caller\" must be an object");
  if (auto keys = check_keys(value, {"exe", "pid", "uid"}, {}); !keys) {
    return moat::unexpected(keys.error().with_context("in \"caller\""));
  }
  constexpr std::uint64_t kMax32 = std::numeric_limits<std::uint32_t>::max();
  auto uid = get_unsigned(value, "uid", 0, kMax32);
  if (!uid) return moat::unexpected(std::move(uid).error().with_context("in \"caller\""));
  auto pid = get_unsigned(value, "pid", 0, kMax32);
  if (!pid) return moat::unexpected(std::move(pid).error().with_context("in \"caller\""));
  auto exe = get_string(value, "exe");
  if (!exe) return moat::unexpected(std::move(exe).error().with_context("in \"caller\""));
  return Caller{static_cast<std::uint32_t>(*uid), static_cast<std::uint32_t>(*pid),
                std::move(*exe)};
}

Result<Entry, AuditError> parse_record(const Json& object) {
  if (auto keys = check_keys(
          object,
          {"component", "outcome", "prev", "reason", "request", "rule", "seq", "time", "type"},
          {"caller", "container"});
      !keys) {
    return moat::unexpected(keys.error());
  }
  Record record;
  auto seq = get_unsigned(object, "seq", 1, std::numeric_limits<std::uint64_t>::max());
  if (!seq) return moat::unexpected(std::move(seq).error());
  record.seq = *seq;
  auto time = get_time(object);
  if (!time) return moat::unexpected(std::move(time).error());
  record.time = *time;
  auto component = get_string(object, "component");
  if (!component) return moat::unexpected(std::move(component).error());
  const auto known_component = component_from_string(*component);
  if (!known_component) {
    return malformed("field \"component\" must be \"moatd\", \"moat-runc\" or \"moatctl\"");
  }
  record.component = *known_component;
  if (object.contains("caller")) {
    auto caller = parse_caller(object.at("caller"));
    if (!caller) return moat::unexpected(std::move(caller).error());
    record.caller = std::move(*caller);
  }
  if (object.contains("container")) {
    auto container = get_string(object, "container");
    if (!container) return moat::unexpected(std::move(container).error());
    record.container = std::move(*container);
  }
  auto request = get_string(object, "request");
  if (!request) return moat::unexpected(std::move(request).error());
  record.request = std::move(*request);
  auto rule = get_string(object, "rule");
  if (!rule) return moat::unexpected(std::move(rule).error());
  record.rule = std::move(*rule);
  auto outcome = get_string(object, "outcome");
  if (!outcome) return moat::unexpected(std::move(outcome).error());
  const auto known_outcome = outcome_from_string(*outcome);
  if (!known_outcome)
    return malformed("field \"outcome\" must be \"allow\", \"deny\" or \"error\"");
  record.outcome = *known_outcome;
  auto reason = get_string(object, "reason");
  if (!reason) return moat::unexpected(std::move(reason).error());
  record.reason = std::move(*reason);
  auto prev = get_hash(object, "prev");
  if (!prev) return moat::unexpected(std::move(prev).error());
  record.prev = std::move(*prev);
  return Entry{std::move(record)};
}

Result<Entry, AuditError> parse_checkpoint(const Json& object) {
  if (auto keys = check_keys(object, {"count", "head", "prev", "seq", "sig", "time", "type"}, {});
      !keys) {
    return moat::unexpected(keys.error());
  }
  Checkpoint checkpoint;
  auto seq = get_unsigned(object, "seq", 1, std::numeric_limits<std::uint64_t>::max());
  if (!seq) return moat::unexpected(std::move(seq).error());
  checkpoint.seq = *seq;
  auto time = get_time(object);
  if (!time) return moat::unexpected(std::move(time).error());
  checkpoint.time = *time;
  auto prev = get_hash(object, "prev");
  if (!prev) return moat::unexpected(std::move(prev).error());
  checkpoint.prev = std::move(*prev);
  auto head = get_hash(object, "head");
  if (!head) return moat::unexpected(std::move(head).error());
  checkpoint.head = std::move(*head);
  auto count = get_unsigned(object, "count", 1, std::numeric_limits<std::uint64_t>::max());
  if (!count) return moat::unexpected(std::move(count).error());
  checkpoint.count = *count;
  auto sig = get_string(object, "sig");
  if (!sig) return moat::unexpected(std::move(sig).error());
  const auto raw = base64_decode(*sig);
  if (!raw || raw->size() != kSignatureBytes) {
    return malformed("field \"sig\" must be the canonical base64 of a 64-byte signature");
  }
  checkpoint.sig = std::move(*sig);
  return Entry{std::move(checkpoint)};
}

}  // namespace

std::string_view to_string(Component component) {
  switch (component) {
    case Component::kMoatd:
      return "moatd";
    case Component::kMoatRunc:
      return "moat-runc";
    case Component::kMoatctl:
      return "moatctl";
  }
  return "unknown";
}

std::string_view to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::kAllow:
      return "allow";
    case Outcome::kDeny:
      return "deny";
    case Outcome::kError:
      return "error";
  }
  return "unknown";
}

std::optional<Component> component_from_string(std::string_view text) {
  for (const auto c : {Component::kMoatd, Component::kMoatRunc, Component::kMoatctl}) {
    if (to_string(c) == text) return c;
  }
  return std::nullopt;
}

std::optional<Outcome> outcome_from_string(std::string_view text) {
  for (const auto o : {Outcome::kAllow, Outcome::kDeny, Outcome::kError}) {
    if (to_string(o) == text) return o;
  }
  return std::nullopt;
}

std::uint64_t seq_of(const Entry& entry) {
  return std::visit([](const auto& e) { return e.seq; }, entry);
}

const std::string& prev_of(const Entry& entry) {
  return std::visit([](const auto& e) -> const std::string& { return e.prev; }, entry);
}

bool is_checkpoint(const Entry& entry) { return std::holds_alternative<Checkpoint>(entry); }

namespace {

using namespace std::string_view_literals;

// A name of ours (component, outcome): plain ASCII, nothing to escape.
void append_name(std::string& out, std::string_view name) {
  out.push_back('"');
  out.append(name);
  out.push_back('"');
}

// Appends `text` as a JSON string; false when it is not well-formed UTF-8,
// with `out` then holding part of a line, which the caller takes back. Most
// strings of a record are plain ASCII and take one scan; checking each for
// UTF-8 up front and then scanning it for escapes cost a /_ping record about
// 600 instructions more (callgrind).
bool append_string(std::string& out, std::string_view text) {
  if (json::append_plain_json_string(out, text)) return true;
  if (!json::is_valid_utf8(text)) return false;
  json::append_json_string(out, text);
  return true;
}

// A line's start up to the end of its caller:
// {"caller":{"exe":..,"pid":..,"uid":..}. Kept for the last caller written
// on this thread: a client's requests come from one process, and escaping
// its path and writing its numbers again cost each record about 400
// instructions (callgrind, /_ping through moatd).
bool append_caller(std::string& out, const Caller& caller) {
  thread_local std::optional<Caller> last;
  thread_local std::string text;
  if (last != caller) {
    last.reset();
    text.assign("{\"caller\":{\"exe\":"sv);
    if (!append_string(text, caller.exe)) return false;
    text.append(",\"pid\":"sv);
    json::append_decimal(text, caller.pid);
    text.append(",\"uid\":"sv);
    json::append_decimal(text, caller.uid);
    text.push_back('}');
    last = caller;
  }
  out.append(text);
  return true;
}

// The line an append writes, built without a JSON document and straight
// into the caller's buffer: appends are on the request path, and the
// document, and then each temporary string, cost most of an append's CPU.
// Same bytes as the document's dump() for every record it writes. False,
// having written part of a line, when a string is not well-formed UTF-8:
// nlohmann replaces bad bytes, so the canonical spelling of those stays
// nlohmann's alone.
bool append_direct_line(std::string& out, const Record& record, std::string_view prev) {
  // Room for the fields, the keys and a few escapes without reallocating.
  out.reserve(out.size() + prev.size() + record.reason.size() + record.request.size() +
              record.rule.size() + (record.caller ? record.caller->exe.size() : 0) +
              (record.container ? record.container->size() : 0) + 320);
  // Each literal holds the punctuation between two values, so a field costs
  // one append besides its value.
  if (record.caller) {
    if (!append_caller(out, *record.caller)) return false;
    out.append(",\"component\":"sv);
  } else {
    out.append("{\"component\":"sv);
  }
  append_name(out, to_string(record.component));
  if (record.container) {
    out.append(",\"container\":"sv);
    if (!append_string(out, *record.container)) return false;
  }
  out.append(",\"outcome\":"sv);
  append_name(out, to_string(record.outcome));
  out.append(",\"prev\":"sv);
  if (!append_string(out, prev)) return false;
  out.append(",\"reason\":"sv);
  if (!append_string(out, record.reason)) return false;
  out.append(",\"request\":"sv);
  if (!append_string(out, record.request)) return false;
  out.append(",\"rule\":"sv);
  if (!append_string(out, record.rule)) return false;
  out.append(",\"seq\":"sv);
  json::append_decimal(out, record.seq);
  out.append(",\"time\":\""sv);
  append_time(out, record.time);
  out.append("\",\"type\":\"record\"}"sv);
  return true;
}

std::string document_line(const Record& record, std::string_view prev) {
  Json object = Json::object();
  if (record.caller) {
    object["caller"] =
        Json{{"exe", record.caller->exe}, {"pid", record.caller->pid}, {"uid", record.caller->uid}};
  }
  object["component"] = std::string(to_string(record.component));
  if (record.container) object["container"] = *record.container;
  object["outcome"] = std::string(to_string(record.outcome));
  object["prev"] = std::string(prev);
  object["reason"] = record.reason;
  object["request"] = record.request;
  object["rule"] = record.rule;
  object["seq"] = record.seq;
  object["time"] = format_time(record.time);
  object["type"] = "record";
  return dump(object);
}

}  // namespace

void append_line(std::string& out, const Record& record) { append_line(out, record, record.prev); }

void append_line(std::string& out, const Record& record, std::string_view prev) {
  const std::size_t start = out.size();
  if (append_direct_line(out, record, prev)) return;
  out.resize(start);
  out += document_line(record, prev);
}

std::string to_line(const Record& record) {
  std::string line;
  append_line(line, record);
  return line;
}

std::string to_line(const Checkpoint& checkpoint) {
  Json object = Json::object();
  object["count"] = checkpoint.count;
  object["head"] = checkpoint.head;
  object["prev"] = checkpoint.prev;
  object["seq"] = checkpoint.seq;
  object["sig"] = checkpoint.sig;
  object["time"] = format_time(checkpoint.time);
  object["type"] = "checkpoint";
  return dump(object);
}

std::string to_line(const Entry& entry) {
  return std::visit([](const auto& e) { return to_line(e); }, entry);
}

Result<Entry, AuditError> parse_line(std::string_view line) {
  moat::core::json::ParseOptions options;
  options.max_bytes = kMaxLineBytes;
  options.max_depth = 2;  // the line object and "caller"
  auto document = moat::core::json::parse_strict(line, options);
  if (!document) {
    return malformed("not valid JSON: " + document.error().message + " (column " +
                     std::to_string(document.error().where.column) + ")");
  }
  const nlohmann::json& object = document->value;
  if (!object.is_object()) return malformed("not a JSON object");
  if (!object.contains("type") || !object.at("type").is_string()) {
    return malformed("missing field \"type\"");
  }
  const auto type = object.at("type").get<std::string>();
  Result<Entry, AuditError> entry = audit_fail(AuditErrc::kMalformedLine, "");
  if (type == "record") {
    entry = parse_record(object);
  } else if (type == "checkpoint") {
    entry = parse_checkpoint(object);
  } else {
    return malformed("field \"type\" must be \"record\" or \"checkpoint\"");
  }
  if (!entry) return entry;
  if (to_line(*entry) != line) {
    return malformed(
        "not in canonical form (the writer's exact bytes: sorted keys, no spaces, minimal "
        "escapes)");
  }
  return entry;
}

}  // namespace moat::core::audit

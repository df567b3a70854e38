#pragma once
// One audit line: a decision record or a signed checkpoint, and its single
// canonical text form. A line is the nlohmann::json::dump() of an object
// (keys sorted, no spaces), one per line in UTF-8:
//
//   record:     {"caller":{"exe":..,"pid":..,"uid":..},"component":..,
//                "container":..,"outcome":..,"prev":..,"reason":..,
//                "request":..,"rule":..,"seq":..,"time":..,"type":"record"}
//               ("caller" and "container" are left out when absent)
//   checkpoint: {"count":..,"head":..,"prev":..,"seq":..,"sig":..,
//                "time":..,"type":"checkpoint"}
//
// parse_line accepts a line only if it is byte for byte what to_line writes
// for the entry it describes: hashes are over bytes, so two spellings of the
// same content must not both be valid.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "core/audit/audit_error.h"
#include "core/audit/audit_time.h"
#include "core/result/result.h"

namespace moat::core::audit {

// A line longer than this is refused by both the writer and the parser.
inline constexpr std::size_t kMaxLineBytes = 64 * 1024;

enum class Component { kMoatd, kMoatRunc, kMoatctl };
enum class Outcome { kAllow, kDeny, kError };

std::string_view to_string(Component component);  // "moatd", "moat-runc", "moatctl"
std::string_view to_string(Outcome outcome);      // "allow", "deny", "error"
std::optional<Component> component_from_string(std::string_view text);
std::optional<Outcome> outcome_from_string(std::string_view text);

struct Caller {
  std::uint32_t uid = 0;
  std::uint32_t pid = 0;
  std::string exe;
  bool operator==(const Caller&) const = default;
};

struct Record {
  std::uint64_t seq = 0;  // assigned by AuditLog::append
  Timestamp time{};       // assigned by AuditLog::append
  Component component = Component::kMoatd;
  std::optional<Caller> caller;
  std::optional<std::string> container;
  std::string request;  // canonical request summary
  std::string rule;     // rule id that decided
  Outcome outcome = Outcome::kDeny;
  std::string reason;
  std::string prev;  // assigned by AuditLog::append
  bool operator==(const Record&) const = default;
};

// Vouches, with an Ed25519 signature, for every line up to the record it
// follows. seq is the seq of that record; prev and head are both the hash of
// that record's line (head names what is covered, prev keeps the chain);
// count is the number of records since the previous checkpoint.
struct Checkpoint {
  std::uint64_t seq = 0;
  Timestamp time{};
  std::string prev;
  std::string head;
  std::uint64_t count = 0;
  std::string sig;  // base64 of the 64-byte signature over checkpoint_signed_bytes()
  bool operator==(const Checkpoint&) const = default;
};

using Entry = std::variant<Record, Checkpoint>;

std::uint64_t seq_of(const Entry& entry);
const std::string& prev_of(const Entry& entry);
bool is_checkpoint(const Entry& entry);

// Without the newline. Strings that are not valid UTF-8 get U+FFFD for each
// bad byte: a request carrying hostile bytes must still be recordable.
std::string to_line(const Record& record);
// to_line(record)'s bytes appended to `out`: the log writes a batch's lines
// into one buffer without a string for each.
void append_line(std::string& out, const Record& record);
// The same with `prev` in place of record.prev: the log chains a batch
// without a copy of each hash in its record (an allocation per line).
void append_line(std::string& out, const Record& record, std::string_view prev);
std::string to_line(const Checkpoint& checkpoint);
std::string to_line(const Entry& entry);

// `line` without its newline. Refuses anything that is not exactly a
// canonical record or checkpoint; the error (kMalformedLine) says what.
Result<Entry, AuditError> parse_line(std::string_view line);

}  // namespace moat::core::audit

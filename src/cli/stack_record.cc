#include "cli/stack_record.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>

#include <nlohmann/json.hpp>

#include "core/json/strict_json.h"
#include "core/sys/read_file.h"

namespace moat::cli {
namespace {

using Json = nlohmann::json;

// Linux's largest pid (PID_MAX_LIMIT on 64-bit).
constexpr std::uint64_t kMaxPid = 4194304;
// Far more than any record `up` writes; a larger file is not one.
constexpr std::size_t kMaxRecordBytes = 64 * 1024;

// Reads an unsigned integer no larger than `max` into `out`.
template <class T>
Result<void> read_unsigned(const Json& value, const std::string& key, std::uint64_t max, const std::string& what,
                           T& out) {
  if (!value.is_number_unsigned() || value.get<std::uint64_t>() > max) {
    return fail("field \"" + key + "\" must be " + what);
  }
  out = static_cast<T>(value.get<std::uint64_t>());
  return {};
}

Result<void> read_string(const Json& value, const std::string& key, std::string& out) {
  if (!value.is_string()) return fail("field \"" + key + "\" must be a string");
  out = value.get<std::string>();
  return {};
}

}  // namespace

std::string serialize_stack_record(const StackRecord& r) {
  const Json j = {{"dockerd", r.dockerd},
                  {"moatd", r.moatd},
                  {"dockerdStarted", r.dockerd_started},
                  {"moatdStarted", r.moatd_started},
                  {"adminSettings", r.admin_settings},
                  {"startedAt", r.started_at},
                  {"runtime", r.runtime},
                  {"eciActive", r.eci_active},
                  {"eciNote", r.eci_note},
                  {"egressPort", r.egress_port}};
  return j.dump(2) + "\n";
}

Result<StackRecord> parse_stack_record(std::string_view text) {
  const auto document = core::json::parse_strict(text);
  if (!document) return fail("not valid JSON: " + document.error().message);
  const Json& j = document->value;
  if (!j.is_object()) return fail("not a JSON object");
  StackRecord r;
  const std::string pid = "a process id (0 to " + std::to_string(kMaxPid) + ")";
  const std::string ticks = "a start time in clock ticks (an unsigned integer)";
  constexpr auto kAnyTicks = std::numeric_limits<std::uint64_t>::max();
  for (const auto& [key, value] : j.items()) {
    Result<void> read;
    if (key == "dockerd") {
      read = read_unsigned(value, key, kMaxPid, pid, r.dockerd);
    } else if (key == "moatd") {
      read = read_unsigned(value, key, kMaxPid, pid, r.moatd);
    } else if (key == "dockerdStarted") {
      read = read_unsigned(value, key, kAnyTicks, ticks, r.dockerd_started);
    } else if (key == "moatdStarted") {
      read = read_unsigned(value, key, kAnyTicks, ticks, r.moatd_started);
    } else if (key == "egressPort") {
      read = read_unsigned(value, key, 65535, "a TCP port (0 to 65535)", r.egress_port);
    } else if (key == "adminSettings") {
      read = read_string(value, key, r.admin_settings);
    } else if (key == "startedAt") {
      read = read_string(value, key, r.started_at);
    } else if (key == "runtime") {
      read = read_string(value, key, r.runtime);
    } else if (key == "eciNote") {
      read = read_string(value, key, r.eci_note);
    } else if (key == "eciActive") {
      if (!value.is_boolean()) return fail("field \"eciActive\" must be true or false");
      r.eci_active = value.get<bool>();
    } else {
      return fail("unknown field \"" + key + "\"");
    }
    if (!read) return unexpected(read.error());
  }
  return r;
}

Result<std::optional<StackRecord>> read_stack_record(const core::stack::Layout& layout) {
  const std::string path = layout.stack_record();
  std::error_code ec;
  if (std::filesystem::symlink_status(path, ec).type() == std::filesystem::file_type::not_found) {
    return std::optional<StackRecord>();
  }
  const auto text = core::sys::read_file(path);
  if (!text) return unexpected(text.error());
  if (text->size() > kMaxRecordBytes) {
    return fail(path + " is larger than " + std::to_string(kMaxRecordBytes) + " bytes: not a record moatctl wrote");
  }
  auto record = parse_stack_record(*text);
  if (!record) return unexpected(record.error().with_context(path));
  return std::optional<StackRecord>(std::move(*record));
}

StackRecord read_stack_record_or_empty(const core::stack::Layout& layout, std::string_view who,
                                       std::string_view then) {
  auto recorded = read_stack_record(layout);
  if (!recorded) {
    if (::geteuid() == 0) {
      std::cerr << who << ": ignoring the stack's record (" << recorded.error().message << ")" << then << "\n";
    }
    return {};
  }
  return recorded->value_or(StackRecord{});
}

bool write_stack_record(const core::stack::Layout& layout, const StackRecord& r) {
  std::ofstream out(layout.stack_record(), std::ios::trunc);
  out << serialize_stack_record(r);
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

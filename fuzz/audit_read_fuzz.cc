// The control API's audit read (GET /audit/records?...), which everyone in
// the docker group reaches: arbitrary targets, from a developer (byte 0
// even) or root (odd), against a real log holding records of two callers.
// Properties: no exception; the answer is one of the documented statuses,
// serialises as moatd writes it, and every refusal says why; a developer
// gets only records of their own uid, whatever the query asks.
#include <sys/stat.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "core/audit/audit_record.h"
#include "core/audit/signing_key.h"
#include "core/stack/layout.h"
#include "moatd/audit_records_api.h"
#include "moatd/audit_sink.h"
#include "moatd/peer_credentials.h"
#include "support/temp_dir.h"

namespace {

using namespace moat;

constexpr std::uint32_t kDeveloperUid = 1000;

// A stack directory whose log holds records of root and of the developer,
// made once per process and removed when it exits.
const core::stack::Layout& stack_with_records() {
  static const core::stack::Layout layout = [] {
    static const testing_support::TempDir dir("moat-audit-read-fuzz");
    auto made = core::stack::make_layout(dir.str(), dir.str() + "/admin.json");
    std::filesystem::create_directories(made.audit_dir());
    ::chmod(made.audit_dir().c_str(), 0700);
    if (!core::audit::create_key_pair(made.audit_key())) __builtin_trap();
    auto sink = moatd::AuditSink::open(made, true, 1 << 20, std::chrono::milliseconds(0));
    if (!sink) __builtin_trap();
    for (const std::uint32_t uid : {0U, kDeveloperUid, 0U, kDeveloperUid}) {
      core::audit::Record r;
      r.caller = core::audit::Caller{uid, 42, "/usr/bin/docker"};
      r.container = uid == 0 ? "c0" : "c1";
      r.request = "GET /v1.41/containers/json";
      r.rule = uid == 0 ? "rule.root" : "rule.developer";
      r.outcome = uid == 0 ? core::audit::Outcome::kAllow : core::audit::Outcome::kDeny;
      if (!(*sink)->record(r)) __builtin_trap();
    }
    return made;
  }();
  return layout;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const bool as_root = (data[0] & 1U) != 0;
  const std::string target = std::string(moatd::kAuditRecordsPath) + "?" +
                             std::string(reinterpret_cast<const char*>(data) + 1, size - 1);
  const moatd::PeerCredentials peer{4242, as_root ? 0U : kDeveloperUid, as_root ? 0U : kDeveloperUid,
                                    "/usr/bin/moatctl"};
  const auto response = moatd::read_audit_records(stack_with_records(), target, peer);
  // As the control session writes it: bytes a caller sent that are not
  // UTF-8 come back replaced, never as an exception.
  (void)response.body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  switch (response.status) {
    case 200: {
      if (!response.body.contains("records") || !response.body["records"].is_array()) __builtin_trap();
      for (const auto& line : response.body["records"]) {
        const auto entry = core::audit::parse_line(line.get<std::string>());
        if (!entry) __builtin_trap();
        const auto* record = std::get_if<core::audit::Record>(&*entry);
        if (record == nullptr || !record->caller) __builtin_trap();
        if (!as_root && record->caller->uid != kDeveloperUid) __builtin_trap();
      }
      break;
    }
    case 400:
    case 403:
      if (!response.body.contains("message") || response.body["message"].get<std::string>().empty()) {
        __builtin_trap();
      }
      break;
    default:
      __builtin_trap();
  }
  return 0;
}

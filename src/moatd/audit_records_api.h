#pragma once
// The control API's audit endpoints. moatd is the only writer of the audit
// log, so the whole machine has one hash chain: moat-runc hands its
// decisions over here (root only) and waits for them to be written. Anyone
// in the docker group reads the records of their own requests; root reads
// everyone's.
//
//   POST /audit/runtime-records   {"container","request","rule","outcome","reason"}
//   GET  /audit/records?tail=N | ?since=&until=&rule=&container=&outcome=&component=&limit=
//   POST /audit/write-staged      (root's moatctl, before it reads the files)

#include <string>

#include "core/stack/layout.h"
#include "moatd/audit_sink.h"
#include "moatd/control_api.h"
#include "moatd/peer_credentials.h"

namespace moat::moatd {

inline constexpr const char* kRuntimeRecordsPath = "/audit/runtime-records";
inline constexpr const char* kAuditRecordsPath = "/audit/records";
inline constexpr const char* kWriteStagedPath = "/audit/write-staged";

// Records a moat-runc decision; the caller is the peer (the kernel's word),
// the component moat-runc. 503 with kAuditUnwritableMessage when refused.
ControlResponse record_runtime_decision(AuditSink& audit, const std::string& body, const PeerCredentials& peer);

// Writes the records moatd has staged (write-behind) to audit.log now, so
// that a reader of the files finds every record written so far. Anyone may
// ask: it reveals nothing, and a read through GET /audit/records does the
// same. 503 with the reason when they could not be written.
ControlResponse write_staged_for_reader(AuditSink& audit);

bool is_audit_read(const std::string& method, const std::string& target);

// Reads files only, so it may run off moatd's event loop. A caller other
// than root gets only records whose caller uid is theirs, whatever it asks.
ControlResponse read_audit_records(const core::stack::Layout& layout, const std::string& target,
                                   const PeerCredentials& peer);

}  // namespace moat::moatd

#pragma once
// One audit entry as one RFC 5424 syslog message:
//
//   <PRI>1 TIMESTAMP HOSTNAME moat - MSGID [moat@32473 ...] BOM LINE
//
// PRI is facility authpriv (10) with a severity by outcome: deny warning (4),
// error err (3), allow and checkpoints info (6). TIMESTAMP is the entry's
// own time; MSGID the component that decided ("moatd", "moat-runc"; for a
// checkpoint, the log's writer).
// The structured data carries what a collector filters on; MSG is the
// entry's canonical audit line, byte for byte, so the receiver can re-verify
// the hash chain and the checkpoint signatures.

#include <string>
#include <string_view>

#include "core/audit/audit_record.h"

namespace moat::core::audit::exporter {

// IANA private enterprise number used in the SD-ID "moat@32473" (the number
// RFC 5612 reserves for documentation, until one is registered).
inline constexpr std::string_view kSdId = "moat@32473";
inline constexpr int kFacilityAuthpriv = 10;

int syslog_priority(const Entry& entry);

// RFC 5424 PARAM-VALUE escaping of '"', '\' and ']'. Control characters
// (which receivers print raw) become '?'.
std::string escape_param_value(std::string_view value);

// HOSTNAME field: printable US-ASCII without spaces, at most 255 bytes;
// anything else is replaced by '-' so a hostile name cannot add fields.
std::string syslog_hostname(std::string_view hostname);

// `line` is the entry's canonical line (to_line(entry)), without newline.
// `component` names the log's writer (the MSGID of checkpoints).
std::string format_syslog_message(const Entry& entry, std::string_view line, Component component,
                                  std::string_view hostname);

// RFC 6587 octet counting, as RFC 5425 requires for TLS: "LEN SP MSG".
std::string octet_counted_frame(std::string_view message);

}  // namespace moat::core::audit::exporter

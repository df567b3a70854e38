#pragma once
// Checkpoint signatures. The signed message is ASCII, one field per line,
// each line ending in a single '\n', in this order and with nothing else:
//
//   moat-audit-checkpoint-v1\n
//   seq=<decimal, no leading zeros>\n
//   prev=<64 lower-case hex>\n
//   head=<64 lower-case hex>\n
//   count=<decimal, no leading zeros>\n
//   time=<YYYY-MM-DDTHH:MM:SS.mmmZ>\n
//
// The first line separates these signatures from anything else the key might
// ever sign; the version lets the format change without ambiguity.

#include <cstdint>
#include <string>

#include "core/audit/audit_error.h"
#include "core/audit/audit_record.h"
#include "core/audit/signing_key.h"
#include "core/result/result.h"

namespace moat::core::audit {

std::string checkpoint_signed_bytes(const Checkpoint& checkpoint);

// A checkpoint covering the line whose hash is head_hash (which is also its
// prev: a checkpoint always directly follows the record it covers).
Result<Checkpoint, AuditError> make_checkpoint(const SigningKey& key, std::uint64_t seq,
                                               Timestamp time, const std::string& head_hash,
                                               std::uint64_t count);

// True when sig is a valid signature by key over checkpoint_signed_bytes.
bool checkpoint_signature_ok(const Checkpoint& checkpoint, const VerifyKey& key);

}  // namespace moat::core::audit

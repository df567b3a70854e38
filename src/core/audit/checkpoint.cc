#include "core/audit/checkpoint.h"

#include "core/audit/base64.h"

namespace moat::core::audit {

std::string checkpoint_signed_bytes(const Checkpoint& checkpoint) {
  std::string bytes = "moat-audit-checkpoint-v1\n";
  bytes += "seq=" + std::to_string(checkpoint.seq) + "\n";
  bytes += "prev=" + checkpoint.prev + "\n";
  bytes += "head=" + checkpoint.head + "\n";
  bytes += "count=" + std::to_string(checkpoint.count) + "\n";
  bytes += "time=" + format_time(checkpoint.time) + "\n";
  return bytes;
}

Result<Checkpoint, AuditError> make_checkpoint(const SigningKey& key, std::uint64_t seq,
                                               Timestamp time, const std::string& head_hash,
                                               std::uint64_t count) {
  Checkpoint checkpoint;
  checkpoint.seq = seq;
  checkpoint.time = time;
  checkpoint.prev = head_hash;
  checkpoint.head = head_hash;
  checkpoint.count = count;
  auto signature = key.sign(checkpoint_signed_bytes(checkpoint));
  if (!signature) {
    return moat::unexpected(
        signature.error().with_context("signing checkpoint for seq " + std::to_string(seq)));
  }
  checkpoint.sig = base64_encode(*signature);
  return checkpoint;
}

bool checkpoint_signature_ok(const Checkpoint& checkpoint, const VerifyKey& key) {
  const auto raw = base64_decode(checkpoint.sig);
  return raw && key.verify(checkpoint_signed_bytes(checkpoint), *raw);
}

}  // namespace moat::core::audit

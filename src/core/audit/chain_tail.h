#pragma once
// Reading the end of an existing log so a writer can continue it: the next
// seq, the hash the next line must carry as prev, and how many records the
// next checkpoint covers. Reads only a window at the end of the newest file
// (grown until it holds a checkpoint), and refuses to continue a tail that
// does not verify: appending to a damaged chain would hide the damage.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "core/audit/audit_error.h"
#include "core/audit/audit_record.h"
#include "core/audit/hash_chain.h"
#include "core/audit/signing_key.h"
#include "core/result/result.h"

namespace moat::core::audit {

struct ChainTail {
  std::uint64_t last_seq = 0;  // seq of the newest record; 0 for an empty log
  std::string last_hash = std::string(kGenesisPrev);  // hash of the newest line
  std::uint64_t records_since_checkpoint = 0;
  std::optional<Checkpoint> last_checkpoint;  // newest checkpoint, if in the window
  std::string last_checkpoint_hash;           // hash of its line
  std::uint64_t next_rotation_index = 1;
  bool current_exists = false;  // audit.log is present
};

// Errors with kTailDoesNotVerify when the tail is damaged or was signed with
// another key, and with kIo when the files cannot be read.
Result<ChainTail, AuditError> read_chain_tail(const std::filesystem::path& dir,
                                              const VerifyKey& key);

}  // namespace moat::core::audit

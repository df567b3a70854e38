// What a staging file says audit.log lacks (missing_bytes), for a file of
// any bytes: the next moatd reads it at start, before the log's tail, and
// what it returns is appended to the log. Input: a flags byte (bit 0: there
// is an audit.log; bit 1: it is the file the header names), eight bytes of
// the log's size, then the staging file's bytes. Properties: no crash and,
// when accepted, at most the ring's capacity, inside the file's ring, whole
// lines' ends and no NUL byte; a log that is some other file may lack
// nothing.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>

#include "core/audit/staging_ring.h"

using namespace moat::core::audit;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 9) return 0;
  const std::uint8_t flags = data[0];
  std::uint64_t log_size = 0;
  std::memcpy(&log_size, data + 1, sizeof(log_size));
  const std::string_view file(reinterpret_cast<const char*>(data) + 9, size - 9);
  std::optional<CurrentLogFile> log;
  if ((flags & 1U) != 0) {
    FileIdentity identity{~0ULL, ~0ULL};
    if ((flags & 2U) != 0 && file.size() >= 48) {
      std::memcpy(&identity.device, file.data() + 32, sizeof(identity.device));
      std::memcpy(&identity.inode, file.data() + 40, sizeof(identity.inode));
    }
    log = CurrentLogFile{identity, log_size};
  }
  const auto missing = missing_bytes(file, log, "/var/lib/moat/audit/moatd/audit.staging");
  if (!missing) {
    if (missing.error().message.empty()) __builtin_trap();
    return 0;
  }
  if (missing->size() == 0) return 0;
  if (missing->size() > file.size() - kStagingHeaderBytes) __builtin_trap();
  const char* ring = file.data() + kStagingHeaderBytes;
  for (const std::string_view piece : missing->pieces) {
    if (piece.empty()) continue;
    if (piece.data() < ring || piece.data() + piece.size() > file.data() + file.size()) __builtin_trap();
    if (piece.find('\0') != std::string_view::npos) __builtin_trap();
  }
  const std::string_view last = missing->pieces[1].empty() ? missing->pieces[0] : missing->pieces[1];
  if (last.back() != '\n') __builtin_trap();
  // Bytes go only to the file the header names.
  if (!log) __builtin_trap();
  FileIdentity named;
  std::memcpy(&named.device, file.data() + 32, sizeof(named.device));
  std::memcpy(&named.inode, file.data() + 40, sizeof(named.inode));
  if (!(named == log->identity)) __builtin_trap();
  return 0;
}

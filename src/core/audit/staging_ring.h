#pragma once
// StagingRing: where a write-behind audit log keeps its lines between the
// append that promised them and the write(2) that puts them in audit.log.
// It is a file of fixed size in the log directory (kStagingFileName),
// mapped once: staging a line is a copy into memory that is the file's page
// cache, so it outlives the writer process, and the next writer puts what
// audit.log lacks there before it reads the log's tail (missing_bytes).
// Only a crash of the whole machine loses it, as it loses lines that
// write(2) put in the page cache and no fdatasync reached yet.
//
// Bytes are numbered as one stream over the log's files. The header keeps
// how far the stream was staged and how far it was written, and which file
// audit.log is: its device, inode and origin (the stream offset of its byte
// 0). What audit.log lacks is then staged - origin - its size, however far
// a dying writer got, even in the middle of a line; putting it there twice
// is therefore impossible.
//
// Hand-written: no library keeps a crash-surviving append buffer in a file;
// it is a header and a copy into a mapping. Reusing the same pages matters
// here: on this kind of VM the first store to a newly mapped page costs
// about 5 us, which is why the log itself is not written through a mapping.

#include <sys/stat.h>
#include <sys/types.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>

#include "core/audit/audit_error.h"
#include "core/audit/unique_fd.h"
#include "core/result/result.h"

namespace moat::core::audit {

inline constexpr std::string_view kStagingFileName = "audit.staging";
// The header's page; the stream's bytes follow it.
inline constexpr std::uint64_t kStagingHeaderBytes = 4096;
// About 170 ms of lines at moatd's busiest (12 MB/s of lines); when it is
// full, an append writes what is staged itself. Large, so that the writer
// can write 1 MiB at a time: on this kernel's ext4, a write(2) of 640 KiB
// cost half as much CPU a byte as one of 128 KiB (bench/README.md).
inline constexpr std::uint64_t kDefaultStagingCapacity = 2048ULL << 10;

// Which file audit.log is, as fstat says.
struct FileIdentity {
  std::uint64_t device = 0;
  std::uint64_t inode = 0;
  bool operator==(const FileIdentity&) const = default;
};

struct CurrentLogFile {
  FileIdentity identity;
  std::uint64_t size = 0;
};

// A file as stat(2) describes it: the one place that reads these fields.
inline CurrentLogFile file_as_stat_says(const struct stat& info) {
  return {{static_cast<std::uint64_t>(info.st_dev), static_cast<std::uint64_t>(info.st_ino)},
          static_cast<std::uint64_t>(info.st_size)};
}

// The bytes audit.log lacks: at most two pieces, as the stream wraps round
// the ring. Empty pieces when it lacks none.
struct MissingBytes {
  std::array<std::string_view, 2> pieces;
  std::uint64_t size() const { return pieces[0].size() + pieces[1].size(); }
};

// What a staging file (all its bytes, `file`) says audit.log lacks, given
// the current audit.log (none when there is no such file). Refused: a file
// that is not a staging file or whose header does not add up, a log longer
// than what was staged for it, a gap larger than the ring holds, missing
// bytes that are not whole lines, and missing bytes for a file that is no
// longer audit.log. Pure, for the fuzzer.
Result<MissingBytes, AuditError> missing_bytes(std::string_view file, const std::optional<CurrentLogFile>& log,
                                               const std::filesystem::path& display_path);

class StagingRing {
 public:
  // Maps dir_fd/kStagingFileName, creating it with `capacity` bytes of ring
  // (reserved with fallocate and touched once, so that the first records do
  // not pay for the pages) when it does not exist. An existing file keeps
  // its own capacity (replace() makes one of another).
  static Result<StagingRing, AuditError> open(int dir_fd, const std::filesystem::path& dir, std::uint64_t capacity,
                                              mode_t mode);
  // A new staging file of `capacity` put in place of the one there with a
  // rename, so that a crash leaves one or the other: only once audit.log
  // holds everything the old one staged. On failure (no room for it) the
  // old one is left as it was.
  static Result<StagingRing, AuditError> replace(int dir_fd, const std::filesystem::path& dir, std::uint64_t capacity,
                                                 mode_t mode);
  // The file's bytes as they are, for missing_bytes.
  std::string_view file_bytes() const;
  const std::filesystem::path& path() const { return path_; }

  StagingRing(StagingRing&& other) noexcept;
  StagingRing& operator=(StagingRing&& other) noexcept;
  StagingRing(const StagingRing&) = delete;
  StagingRing& operator=(const StagingRing&) = delete;
  ~StagingRing();

  std::uint64_t capacity() const;
  std::uint64_t pending() const;  // staged, not yet written
  // Copies bytes in after those pending; false (nothing staged) when they
  // do not fit beside them.
  bool stage(std::string_view bytes);
  // The pending bytes, oldest first.
  MissingBytes pending_bytes() const;
  // The first n pending bytes are in audit.log now.
  void mark_written(std::uint64_t n);
  // From now on audit.log is `log`: its size so far is all written (callers
  // write out what is pending first).
  void bind(const CurrentLogFile& log);
  // No file is bound until the next bind: for writing audit.log directly,
  // when a crash in between must not find an origin that no longer holds.
  void unbind();

 private:
  StagingRing(UniqueFd fd, std::filesystem::path path, char* map, std::uint64_t map_size)
      : fd_(std::move(fd)), path_(std::move(path)), map_(map), map_size_(map_size) {}
  static Result<StagingRing, AuditError> map_file(UniqueFd fd, std::filesystem::path path);
  char* data() const { return map_ + kStagingHeaderBytes; }

  UniqueFd fd_;
  std::filesystem::path path_;
  char* map_ = nullptr;
  std::uint64_t map_size_ = 0;
};

}  // namespace moat::core::audit

#include "core/audit/staging_ring.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include "core/audit/hash_chain.h"

namespace moat::core::audit {

namespace {

// The first bytes of the file. `staged` is stored after the bytes it covers
// are copied (a release store: the compiler keeps the copy before it), so a
// writer that dies mid-copy leaves them uncounted. The identity is stored
// only while nothing is pending, and `identity_sum` after it: a crash between
// the stores leaves a sum that does not match, read as "no file bound".
struct RingHeader {
  std::array<char, 8> magic;
  std::uint64_t capacity;
  std::uint64_t staged;
  std::uint64_t written;
  std::uint64_t device;
  std::uint64_t inode;
  std::uint64_t origin;
  std::array<char, 64> identity_sum;
};
static_assert(sizeof(RingHeader) <= kStagingHeaderBytes);

RingHeader& header_of(char* map) { return *reinterpret_cast<RingHeader*>(map); }

constexpr std::array<char, 8> kMagic = {'M', 'O', 'A', 'T', 'S', 'T', 'G', '1'};

std::string identity_sum(std::uint64_t device, std::uint64_t inode, std::uint64_t origin) {
  std::array<std::uint64_t, 3> fields = {device, inode, origin};
  return sha256_hex(std::string_view(reinterpret_cast<const char*>(fields.data()), sizeof(fields)));
}

// The stream's bytes [from, from + size) as they sit in the ring.
MissingBytes ring_pieces(const char* ring, std::uint64_t capacity, std::uint64_t from, std::uint64_t size) {
  MissingBytes bytes;
  if (size == 0) return bytes;
  const std::uint64_t at = from % capacity;
  const std::uint64_t first = std::min(size, capacity - at);
  bytes.pieces[0] = std::string_view(ring + at, first);
  bytes.pieces[1] = std::string_view(ring, size - first);
  return bytes;
}

Unexpected<AuditError> untrusted(const std::filesystem::path& path, const std::string& why) {
  return audit_fail(AuditErrc::kTailDoesNotVerify,
                    "staging file " + path.string() + " " + why +
                        "; the records it holds cannot be trusted. Move it aside (the log then lacks what only it "
                        "held, which verify shows) and start again");
}

Result<RingHeader, AuditError> read_header(std::string_view file, const std::filesystem::path& path) {
  RingHeader header{};
  if (file.size() < kStagingHeaderBytes) return untrusted(path, "is shorter than its header");
  std::memcpy(&header, file.data(), sizeof(header));
  if (header.magic != kMagic) return untrusted(path, "does not start as a staging file does");
  if (header.capacity == 0 || header.capacity != file.size() - kStagingHeaderBytes) {
    return untrusted(path, "says it holds " + std::to_string(header.capacity) + " bytes but has room for " +
                               std::to_string(file.size() - kStagingHeaderBytes));
  }
  if (header.written > header.staged || header.staged - header.written > header.capacity) {
    return untrusted(path, "counts more bytes unwritten than it holds");
  }
  return header;
}

// A new ring is made under another name and renamed into place once its
// header is written, so a crash never leaves a ring without one.
Result<UniqueFd, AuditError> create_ring(int dir_fd, const std::filesystem::path& path, std::uint64_t capacity,
                                         mode_t mode) {
  if (capacity == 0 || capacity % 4096 != 0) {
    return audit_fail(AuditErrc::kInvalidArgument, "a staging file's capacity must be a positive multiple of 4096");
  }
  const std::string name(kStagingFileName);
  const std::string draft = name + ".new";
  UniqueFd fd(::openat(dir_fd, draft.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode));
  if (!fd.valid()) return moat::unexpected(io_error(errno, "creating " + path.string() + ".new"));
  if (::fchmod(fd.get(), mode) != 0) return moat::unexpected(io_error(errno, "chmod " + path.string() + ".new"));
  // Reserved now, so that staging never meets a full disk.
  const std::uint64_t size = kStagingHeaderBytes + capacity;
  if (const int err = ::posix_fallocate(fd.get(), 0, static_cast<off_t>(size)); err != 0) {
    ::unlinkat(dir_fd, draft.c_str(), 0);
    return moat::unexpected(io_error(err, "reserving " + std::to_string(size) + " bytes for " + path.string()));
  }
  RingHeader header{};
  header.magic = kMagic;
  header.capacity = capacity;
  if (::pwrite(fd.get(), &header, sizeof(header), 0) != static_cast<ssize_t>(sizeof(header)) ||
      ::renameat(dir_fd, draft.c_str(), dir_fd, name.c_str()) != 0) {
    const int err = errno;
    ::unlinkat(dir_fd, draft.c_str(), 0);
    return moat::unexpected(io_error(err, "creating " + path.string()));
  }
  return fd;
}

}  // namespace

Result<MissingBytes, AuditError> missing_bytes(std::string_view file, const std::optional<CurrentLogFile>& log,
                                               const std::filesystem::path& display_path) {
  auto read = read_header(file, display_path);
  if (!read) return moat::unexpected(std::move(read).error());
  const RingHeader& header = *read;
  const std::string name = display_path.string();
  const std::uint64_t unwritten = header.staged - header.written;
  const bool bound = identity_sum(header.device, header.inode, header.origin) ==
                     std::string_view(header.identity_sum.data(), header.identity_sum.size());
  if (!bound || !log || log->identity != FileIdentity{header.device, header.inode}) {
    // Rotation and start-up bind a new file only once nothing is pending.
    if (unwritten == 0) return MissingBytes{};
    return audit_fail(AuditErrc::kTailDoesNotVerify,
                      "staging file " + name + " holds " + std::to_string(unwritten) +
                          " bytes not yet written to a file that is no longer audit.log; move the "
                          "staging file aside to start without them (verify shows the gap)");
  }
  // Unsigned arithmetic: the origin lies "before" stream offset 0 when the
  // ring was made for a log that already had lines.
  const std::uint64_t in_log = header.staged - header.origin;
  if (log->size > in_log) {
    return audit_fail(AuditErrc::kTailDoesNotVerify,
                      "audit.log holds " + std::to_string(log->size - in_log) + " bytes more than staging file " +
                          name + " staged for it; something else wrote to the log");
  }
  const std::uint64_t missing = in_log - log->size;
  if (missing > std::min(header.capacity, header.staged)) {
    return audit_fail(AuditErrc::kTailDoesNotVerify, "audit.log lacks " + std::to_string(missing) +
                                                         " bytes, more than staging file " + name +
                                                         " holds: the log was cut");
  }
  MissingBytes bytes =
      ring_pieces(file.data() + kStagingHeaderBytes, header.capacity, header.staged - missing, missing);
  const std::string_view last = bytes.pieces[1].empty() ? bytes.pieces[0] : bytes.pieces[1];
  if (missing > 0 && last.back() != '\n') {
    return untrusted(display_path, "holds bytes for audit.log that do not end a line");
  }
  for (const std::string_view piece : bytes.pieces) {
    if (piece.find('\0') != std::string_view::npos) return untrusted(display_path, "holds NUL bytes for audit.log");
  }
  return bytes;
}

Result<StagingRing, AuditError> StagingRing::open(int dir_fd, const std::filesystem::path& dir,
                                                  std::uint64_t capacity, mode_t mode) {
  std::filesystem::path path = dir / kStagingFileName;
  UniqueFd fd(::openat(dir_fd, std::string(kStagingFileName).c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid() && errno == ENOENT) {
    auto created = create_ring(dir_fd, path, capacity, mode);
    if (!created) return moat::unexpected(std::move(created).error());
    fd = std::move(*created);
  }
  if (!fd.valid()) return moat::unexpected(io_error(errno, "opening " + path.string()));
  return map_file(std::move(fd), std::move(path));
}

Result<StagingRing, AuditError> StagingRing::replace(int dir_fd, const std::filesystem::path& dir,
                                                     std::uint64_t capacity, mode_t mode) {
  std::filesystem::path path = dir / kStagingFileName;
  auto created = create_ring(dir_fd, path, capacity, mode);
  if (!created) return moat::unexpected(std::move(created).error());
  return map_file(std::move(*created), std::move(path));
}

Result<StagingRing, AuditError> StagingRing::map_file(UniqueFd fd, std::filesystem::path path) {
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) return moat::unexpected(io_error(errno, "stat " + path.string()));
  if (!S_ISREG(info.st_mode)) {
    return audit_fail(AuditErrc::kInvalidArgument, path.string() + " is not a regular file; refusing to use it");
  }
  const auto map_size = static_cast<std::uint64_t>(info.st_size);
  if (map_size < kStagingHeaderBytes) return untrusted(path, "is shorter than its header");
  void* map = ::mmap(nullptr, map_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd.get(), 0);
  if (map == MAP_FAILED) return moat::unexpected(io_error(errno, "mapping " + path.string()));
  StagingRing ring(std::move(fd), std::move(path), static_cast<char*>(map), map_size);
  if (auto header = read_header(ring.file_bytes(), ring.path_); !header) {
    return moat::unexpected(std::move(header).error());
  }
  // Every page written once now, so that later copies find them mapped and
  // writable. (A new ring is all NUL bytes, which missing_bytes refuses to
  // take for lines.)
  volatile char* pages = ring.map_;
  for (std::uint64_t at = 0; at < map_size; at += 4096) pages[at] = pages[at];
  return ring;
}

StagingRing::StagingRing(StagingRing&& other) noexcept
    : fd_(std::move(other.fd_)),
      path_(std::move(other.path_)),
      map_(std::exchange(other.map_, nullptr)),
      map_size_(std::exchange(other.map_size_, 0)) {}

StagingRing& StagingRing::operator=(StagingRing&& other) noexcept {
  if (this != &other) {
    if (map_ != nullptr) ::munmap(map_, map_size_);
    fd_ = std::move(other.fd_);
    path_ = std::move(other.path_);
    map_ = std::exchange(other.map_, nullptr);
    map_size_ = std::exchange(other.map_size_, 0);
  }
  return *this;
}

StagingRing::~StagingRing() {
  if (map_ != nullptr) ::munmap(map_, map_size_);
}

std::string_view StagingRing::file_bytes() const { return std::string_view(map_, map_size_); }

std::uint64_t StagingRing::capacity() const { return header_of(map_).capacity; }

std::uint64_t StagingRing::pending() const { return header_of(map_).staged - header_of(map_).written; }

bool StagingRing::stage(std::string_view bytes) {
  RingHeader& h = header_of(map_);
  if (bytes.size() > h.capacity - pending()) return false;
  const std::uint64_t at = h.staged % h.capacity;
  const std::uint64_t first = std::min<std::uint64_t>(bytes.size(), h.capacity - at);
  std::memcpy(data() + at, bytes.data(), first);
  std::memcpy(data(), bytes.data() + first, bytes.size() - first);
  std::atomic_ref<std::uint64_t>(h.staged).store(h.staged + bytes.size(), std::memory_order_release);
  return true;
}

MissingBytes StagingRing::pending_bytes() const {
  const RingHeader& h = header_of(map_);
  return ring_pieces(data(), h.capacity, h.written, pending());
}

void StagingRing::mark_written(std::uint64_t n) {
  RingHeader& h = header_of(map_);
  std::atomic_ref<std::uint64_t>(h.written).store(h.written + std::min(n, pending()), std::memory_order_release);
}

void StagingRing::unbind() {
  RingHeader& h = header_of(map_);
  std::memset(h.identity_sum.data(), 0, h.identity_sum.size());
  std::atomic_thread_fence(std::memory_order_release);
}

void StagingRing::bind(const CurrentLogFile& log) {
  unbind();
  RingHeader& h = header_of(map_);
  // What was pending is in the file by now (the caller wrote it out); what
  // the file holds counts as written.
  std::atomic_ref<std::uint64_t>(h.written).store(h.staged, std::memory_order_release);
  h.device = log.identity.device;
  h.inode = log.identity.inode;
  h.origin = h.staged - log.size;
  const std::string sum = identity_sum(h.device, h.inode, h.origin);
  std::atomic_thread_fence(std::memory_order_release);
  std::memcpy(h.identity_sum.data(), sum.data(), std::min(sum.size(), h.identity_sum.size()));
}

}  // namespace moat::core::audit

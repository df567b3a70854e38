#include "core/audit/audit_log.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <string_view>
#include <system_error>
#include <utility>

#include "core/audit/chain_tail.h"
#include "core/audit/checkpoint.h"
#include "core/audit/checkpoint_state.h"
#include "core/audit/hash_chain.h"
#include "core/audit/log_files.h"

namespace moat::core::audit {
namespace {

Result<UniqueFd, AuditError> open_directory(const std::filesystem::path& dir) {
  const int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
  UniqueFd fd(::open(dir.c_str(), flags));
  if (!fd.valid() && errno == ENOENT) {
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
      return moat::unexpected(io_error(errno, "creating audit directory " + dir.string()));
    }
    fd = UniqueFd(::open(dir.c_str(), flags));
  }
  if (!fd.valid()) {
    return moat::unexpected(io_error(errno, "opening audit directory " + dir.string()));
  }
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) {
    return moat::unexpected(io_error(errno, "stat audit directory " + dir.string()));
  }
  if ((info.st_mode & 022U) != 0) {
    std::array<char, 8> mode{};
    std::snprintf(mode.data(), mode.size(), "%04o", info.st_mode & 07777U);
    return audit_fail(AuditErrc::kInvalidArgument,
                      "audit directory " + dir.string() + " is writable by group or others (mode " +
                          mode.data() + "); run chmod go-w " + dir.string());
  }
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) {
      return audit_fail(AuditErrc::kLocked, "another process is writing the audit log in " +
                                                dir.string() +
                                                "; give each writer its own directory");
    }
    return moat::unexpected(io_error(errno, "locking audit directory " + dir.string()));
  }
  return fd;
}

// A log shorter than the checkpoint recorded outside it was cut; continuing
// it would reuse seq numbers and bury the evidence.
Result<void, AuditError> check_state_file(const std::filesystem::path& state_file,
                                          const ChainTail& tail, const VerifyKey& key) {
  auto state = read_checkpoint_state(state_file);
  if (!state) {
    auto error = state.error();
    error.code = AuditErrc::kTailDoesNotVerify;
    return moat::unexpected(error.with_context("cannot check the log against its state file"));
  }
  if (!*state) return {};
  const CheckpointState& recorded = **state;
  const std::string name = state_file.string();
  if (!checkpoint_signature_ok(recorded.checkpoint, key)) {
    return audit_fail(AuditErrc::kTailDoesNotVerify,
                      "the checkpoint in state file " + name +
                          " does not verify with this key (forged, or signed by another key)");
  }
  if (recorded.checkpoint.seq > tail.last_seq) {
    return audit_fail(AuditErrc::kTailDoesNotVerify,
                      "the log ends at seq " + std::to_string(tail.last_seq) + ", but state file " +
                          name + " holds a signed checkpoint for seq " +
                          std::to_string(recorded.checkpoint.seq) +
                          ": the log was cut; run verify, then move the directory and the "
                          "state file aside to start a new log");
  }
  if (tail.last_checkpoint && tail.last_checkpoint->seq == recorded.checkpoint.seq &&
      tail.last_checkpoint_hash != recorded.line_hash) {
    return audit_fail(AuditErrc::kTailDoesNotVerify, "the log's checkpoint for seq " +
                                                         std::to_string(recorded.checkpoint.seq) +
                                                         " differs from the one in state file " +
                                                         name + ": the log was rewritten");
  }
  return {};
}

// What a staging file (write-behind) held for audit.log when its writer
// stopped: put at the log's end before the tail is read.
struct Recovered {
  std::optional<StagingRing> ring;  // none: there is no staging file
  std::uint64_t added = 0;          // bytes put at audit.log's end
  std::uint64_t log_size_before = 0;
  // Why write-behind is off although asked for: no room for a new staging
  // file. Appends then write audit.log themselves, as without it.
  std::optional<AuditError> no_room;
};

// A staging file that failed for want of room leaves write-behind as it
// was (off, or on the old file) instead of failing the log.
bool no_room(const AuditError& error) {
  return error.sys_errno == ENOSPC || error.sys_errno == EDQUOT || error.sys_errno == EFBIG;
}

Result<Recovered, AuditError> recover_staged_lines(int dir_fd, const AuditLogOptions& options) {
  Recovered recovered;
  const std::string ring_name(kStagingFileName);
  const bool exists = ::faccessat(dir_fd, ring_name.c_str(), F_OK, AT_SYMLINK_NOFOLLOW) == 0;
  if (!exists && errno != ENOENT) {
    return moat::unexpected(io_error(errno, "looking for " + (options.directory / ring_name).string()));
  }
  if (!exists && options.write_behind.count() == 0) return recovered;
  auto ring = StagingRing::open(dir_fd, options.directory, options.staging_capacity, options.file_mode);
  if (!ring) {
    if (exists || !no_room(ring.error())) return moat::unexpected(std::move(ring).error());
    recovered.no_room = std::move(ring).error();
    return recovered;
  }
  const std::filesystem::path log_path = options.directory / kCurrentFileName;
  UniqueFd log(::openat(dir_fd, std::string(kCurrentFileName).c_str(), O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC));
  if (!log.valid() && errno != ENOENT) return moat::unexpected(io_error(errno, "opening " + log_path.string()));
  std::optional<CurrentLogFile> current;
  if (log.valid()) {
    struct stat info {};
    if (::fstat(log.get(), &info) != 0) return moat::unexpected(io_error(errno, "stat " + log_path.string()));
    current = file_as_stat_says(info);
  }
  auto missing = missing_bytes(ring->file_bytes(), current, ring->path());
  if (!missing) return moat::unexpected(std::move(missing).error());
  if (missing->size() > 0) {
    AppendFile file = AppendFile::adopt(std::move(log), log_path, current->size);
    const auto context = "writing the " + std::to_string(missing->size()) + " bytes that " + ring->path().string() +
                         " held for it";
    if (auto written = file.append(missing->pieces); !written) {
      return moat::unexpected(written.error().with_context(context));
    }
    if (options.fsync != FsyncPolicy::kNever) {
      if (auto synced = file.sync(); !synced) return moat::unexpected(synced.error().with_context(context));
    }
    recovered.added = missing->size();
    recovered.log_size_before = current->size;
  }
  recovered.ring = std::move(*ring);
  return recovered;
}

// Takes back what recover_staged_lines added when the log does not verify
// with it: the staging file still holds it, for the admin to look at.
std::string take_back(int dir_fd, const Recovered& recovered) {
  const std::string what = "with the " + std::to_string(recovered.added) + " bytes that " +
                           recovered.ring->path().string() + " held for it added at its end";
  UniqueFd log(::openat(dir_fd, std::string(kCurrentFileName).c_str(), O_WRONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!log.valid() || ::ftruncate(log.get(), static_cast<off_t>(recovered.log_size_before)) != 0) {
    return what + ", which could not be taken off again (" + std::system_category().message(errno) + ")";
  }
  return what + " (taken off again)";
}

}  // namespace

Result<std::unique_ptr<AuditLog>, AuditError> AuditLog::open(AuditLogOptions options,
                                                             SigningKey key) {
  if (options.directory.empty()) {
    return audit_fail(AuditErrc::kInvalidArgument, "no audit directory given");
  }
  if (options.write_behind.count() > 0 && options.fsync == FsyncPolicy::kEveryRecord) {
    return audit_fail(AuditErrc::kInvalidArgument,
                      "write-behind cannot sync every record; choose one or the other");
  }
  auto dir = open_directory(options.directory);
  if (!dir) return moat::unexpected(std::move(dir).error());
  auto recovered = recover_staged_lines(dir->get(), options);
  if (!recovered) return moat::unexpected(std::move(recovered).error());
  const VerifyKey verify_key = key.verify_key();
  auto tail = read_chain_tail(options.directory, verify_key);
  if (tail && options.state_file) {
    if (auto checked = check_state_file(*options.state_file, *tail, verify_key); !checked) {
      tail = moat::unexpected(checked.error());
    }
  }
  if (!tail) {
    if (recovered->added == 0) return moat::unexpected(std::move(tail).error());
    return moat::unexpected(tail.error().with_context(take_back(dir->get(), *recovered)));
  }
  // What the staging file held is all in audit.log now.
  if (recovered->ring) recovered->ring->mark_written(recovered->ring->pending());
  std::optional<AuditError> not_resized;
  if (recovered->ring && options.write_behind.count() > 0 &&
      recovered->ring->capacity() != options.staging_capacity) {
    // Made by a writer that asked for another size (an older moatd). Without
    // room for the new one, the old one serves as it is.
    auto resized = StagingRing::replace(dir->get(), options.directory, options.staging_capacity, options.file_mode);
    if (resized) {
      recovered->ring = std::move(*resized);
    } else if (no_room(resized.error())) {
      not_resized = resized.error().with_context("the staging file keeps its " +
                                                 std::to_string(recovered->ring->capacity()) + " bytes");
    } else {
      return moat::unexpected(std::move(resized).error());
    }
  }
  if (recovered->ring && options.write_behind.count() == 0) {
    // Everything it held is in the log now, and nothing will stage more.
    const std::string name(kStagingFileName);
    if (::unlinkat(dir->get(), name.c_str(), 0) != 0) {
      return moat::unexpected(io_error(errno, "removing " + recovered->ring->path().string()));
    }
    recovered->ring.reset();
  }

  std::unique_ptr<AuditLog> log(new AuditLog(std::move(options), std::move(key), std::move(*dir)));
  {
    const std::lock_guard lock(log->mutex_);
    log->staging_ = std::move(recovered->ring);
    log->recovered_bytes_ = recovered->added;
    log->last_seq_ = tail->last_seq;
    log->last_hash_ = tail->last_hash;
    log->records_since_checkpoint_ = tail->records_since_checkpoint;
    log->next_rotation_index_ = tail->next_rotation_index;
    log->create_current_ = !tail->current_exists;
    log->last_checkpoint_time_ = log->now();
    if (auto opened = log->ensure_file_locked(); !opened) {
      log->closed_ = true;  // nothing to sign on the way out
      return moat::unexpected(opened.error());
    }
  }
  if (not_resized) log->report_deferred(*not_resized);
  if (recovered->no_room) {
    log->report_deferred(recovered->no_room->with_context("write-behind is off, so each record is written to " +
                                                          std::string(kCurrentFileName) + " at once"));
  }
  if (log->options_.checkpoint_interval.count() > 0 || log->staging_) {
    log->ticker_ = std::jthread([raw = log.get()](std::stop_token stop) { raw->tick(stop); });
    // Named, so that `top -H` and the audit benchmark tell its CPU apart.
    ::pthread_setname_np(log->ticker_.native_handle(), kWriterThreadName);
  }
  return log;
}

AuditLog::AuditLog(AuditLogOptions options, SigningKey key, UniqueFd dir_fd)
    : options_(std::move(options)), key_(std::move(key)), dir_fd_(std::move(dir_fd)) {}

AuditLog::~AuditLog() {
  if (auto closed = close(); !closed) report_deferred(closed.error());
}

Timestamp AuditLog::now() const {
  return to_timestamp(options_.clock ? options_.clock() : std::chrono::system_clock::now());
}

bool AuditLog::checkpoint_due_locked(std::uint64_t records_since, Timestamp time) const {
  if (records_since == 0) return false;
  if (options_.checkpoint_every > 0 && records_since >= options_.checkpoint_every &&
      time - last_checkpoint_time_ >= options_.checkpoint_min_gap) {
    return true;
  }
  return options_.checkpoint_interval.count() > 0 &&
         time - last_checkpoint_time_ >= options_.checkpoint_interval;
}

Result<void, AuditError> AuditLog::ensure_file_locked() {
  if (file_) return {};
  const std::filesystem::path path = options_.directory / kCurrentFileName;
  auto opened = AppendFile::open(dir_fd_.get(), std::string(kCurrentFileName), path,
                                 options_.file_mode, create_current_);
  if (!opened) return moat::unexpected(std::move(opened).error());
  if (create_current_) {
    if (auto synced = sync_directory(dir_fd_.get(), options_.directory); !synced) {
      return synced;
    }
  }
  if (staging_ && staging_->pending() != 0) {
    return audit_fail(AuditErrc::kBroken, "staged lines for the previous audit.log were not written to it");
  }
  file_ = std::move(*opened);
  create_current_ = false;
  if (staging_) staging_->bind({file_->identity(), file_->size()});
  return {};
}

Result<void, AuditError> AuditLog::put_locked(std::string_view bytes) {
  if (!staging_) return file_->append(bytes);
  if (staging_failure_ || bytes.size() > staging_->capacity() - staging_->pending()) {
    if (auto flushed = flush_staging_locked(); !flushed) {
      return moat::unexpected(flushed.error().with_context(
          "writing the lines staged before (they wait in " + staging_->path().string() + ")"));
    }
  }
  const std::uint64_t pending_before = staging_->pending();
  if (staging_->stage(bytes)) {
    const std::uint64_t enough = write_behind_bytes_locked();
    if (background_ == Background::kIdle ||
        (background_ == Background::kGathering && pending_before < enough && staging_->pending() >= enough)) {
      wake_.notify_all();
    }
    return {};
  }
  // Larger than the whole ring, which is empty now: written as it is.
  staging_->unbind();
  auto written = file_->append(bytes);
  staging_->bind({file_->identity(), file_->size()});
  return written;
}

std::uint64_t AuditLog::write_behind_bytes_locked() const {
  const std::uint64_t capacity = staging_->capacity();
  return options_.write_behind_bytes == 0 ? capacity / 2 : std::min(options_.write_behind_bytes, capacity);
}

Result<void, AuditError> AuditLog::flush_staging_locked() {
  if (!staging_ || staging_->pending() == 0) return {};
  if (!file_) return audit_fail(AuditErrc::kBroken, "staged lines have no audit.log to go to");
  const MissingBytes bytes = staging_->pending_bytes();
  if (auto written = file_->append(bytes.pieces); !written) {
    staging_failure_ = written.error();
    return written;
  }
  staging_->mark_written(bytes.size());
  if (staging_failure_) {
    staging_failure_.reset();
    wake_.notify_all();  // the background thread, waiting to try again, writes as usual again
  }
  return {};
}

Result<void, AuditError> AuditLog::sync_locked() {
  if (auto flushed = flush_staging_locked(); !flushed) return flushed;
  return file_->sync();
}

std::uint64_t AuditLog::current_size_locked() const {
  return file_->size() + (staging_ ? staging_->pending() : 0);
}

void AuditLog::after_checkpoint_locked(const Checkpoint& checkpoint, const std::string& line,
                                       Timestamp time, std::optional<AuditError>& deferred) {
  last_hash_ = sha256_hex(line);
  records_since_checkpoint_ = 0;
  last_checkpoint_time_ = time;
  if (!options_.state_file) return;
  // The state file never names a checkpoint that is only staged: a reader
  // of the files would take the log for cut.
  if (auto flushed = flush_staging_locked(); !flushed) {
    deferred = flushed.error().with_context("the state file stays at the checkpoint before seq " +
                                            std::to_string(checkpoint.seq));
    return;
  }
  if (auto saved = write_state(checkpoint.seq, line); !saved) deferred = saved.error();
}

Result<void, AuditError> AuditLog::write_state(std::uint64_t seq, const std::string& line) {
  if (!options_.state_file) return {};
  const std::lock_guard lock(state_mutex_);
  if (seq <= state_seq_) return {};
  if (auto saved = write_checkpoint_state(*options_.state_file, line); !saved) {
    return moat::unexpected(
        saved.error().with_context("updating the checkpoint state after seq " + std::to_string(seq)));
  }
  state_seq_ = seq;
  return {};
}

bool AuditLog::syncs_in_background() const {
  return options_.fsync == FsyncPolicy::kCheckpoints && options_.checkpoint_interval.count() > 0;
}

void AuditLog::owe_sync_locked(const Checkpoint& checkpoint, const std::string& line, Timestamp time) {
  last_hash_ = sha256_hex(line);
  records_since_checkpoint_ = 0;
  last_checkpoint_time_ = time;
  owed_sync_ = OwedSync{file_->duplicate(), file_->path(), checkpoint.seq, line};
  wake_.notify_all();
}

void AuditLog::settle_owed_sync(std::unique_lock<std::mutex>& lock) {
  if (!owed_sync_) return;
  // The checkpoint may still be staged; a failure is the flush's to report,
  // and the sync stays owed.
  if (!flush_staging_locked()) return;
  OwedSync owed = std::move(*owed_sync_);
  owed_sync_.reset();
  lock.unlock();
  std::optional<AuditError> failure;
  std::optional<AuditError> deferred;
  if (!owed.file.valid() || ::fdatasync(owed.file.get()) != 0) {
    failure = io_error(owed.file.valid() ? errno : EBADF, "fdatasync " + owed.path.string())
                  .with_context("syncing the log up to the checkpoint after seq " + std::to_string(owed.seq));
  } else if (auto saved = write_state(owed.seq, owed.line); !saved) {
    deferred = saved.error();
  }
  if (failure) report_deferred(*failure);
  if (deferred) report_deferred(*deferred);
  lock.lock();
  // After a failed fsync the kernel may have dropped the pages: what the
  // log holds is no longer known, so nothing more is written to it.
  if (failure && !background_sync_failure_) background_sync_failure_ = failure;
}

Result<void, AuditError> AuditLog::write_checkpoint_locked(std::optional<AuditError>& deferred,
                                                           bool in_background) {
  if (records_since_checkpoint_ == 0) return {};
  if (auto opened = ensure_file_locked(); !opened) return opened;
  const Timestamp time = now();
  auto checkpoint = make_checkpoint(key_, last_seq_, time, last_hash_, records_since_checkpoint_);
  if (!checkpoint) return moat::unexpected(std::move(checkpoint).error());
  const std::string line = to_line(*checkpoint);
  if (auto written = put_locked(line + "\n"); !written) {
    return moat::unexpected(written.error().with_context("writing the checkpoint for seq " +
                                                         std::to_string(last_seq_)));
  }
  if (in_background && syncs_in_background()) {
    owe_sync_locked(*checkpoint, line, time);
    return {};
  }
  after_checkpoint_locked(*checkpoint, line, time, deferred);
  if (options_.fsync != FsyncPolicy::kNever) {
    if (auto synced = sync_locked(); !synced) return synced;
  }
  return {};
}

Result<void, AuditError> AuditLog::rotate_locked(std::optional<AuditError>& deferred) {
  if (auto signed_off = write_checkpoint_locked(deferred); !signed_off) return signed_off;
  if (auto flushed = flush_staging_locked(); !flushed) return flushed;
  const std::string target = rotated_name(next_rotation_index_);
  if (::renameat2(dir_fd_.get(), std::string(kCurrentFileName).c_str(), dir_fd_.get(),
                  target.c_str(), RENAME_NOREPLACE) != 0) {
    return moat::unexpected(io_error(
        errno, "renaming " + (options_.directory / kCurrentFileName).string() + " to " + target));
  }
  ++next_rotation_index_;
  file_.reset();
  create_current_ = true;
  if (auto synced = sync_directory(dir_fd_.get(), options_.directory); !synced) return synced;
  return ensure_file_locked();
}

Result<std::uint64_t, AuditError> AuditLog::append(Record record) {
  BatchResult result = append_batch(std::span<Record>(&record, 1));
  if (result.error) return moat::unexpected(std::move(*result.error));
  return record.seq;
}

AuditLog::BatchResult AuditLog::append_batch(std::span<Record> records) {
  std::optional<AuditError> deferred;
  BatchResult result;
  {
    const std::lock_guard lock(mutex_);
    result = append_batch_locked(records, deferred);
  }
  if (deferred) report_deferred(*deferred);
  return result;
}

AuditLog::BatchResult AuditLog::append_batch_locked(std::span<Record> records,
                                                    std::optional<AuditError>& deferred) {
  BatchResult result;
  if (records.empty()) return result;
  // Records are staged into `bytes` with the chain values they will have;
  // the log's own values move only once a write has put them in the file.
  // Both buffers are the log's, kept from batch to batch for their capacity
  // (the mutex is held); a burst's large buffer is let go at the end.
  std::string& bytes = batch_bytes_;
  bytes.clear();
  std::size_t staged = 0;
  std::uint64_t seq = last_seq_;
  std::string& hash = batch_hash_;
  hash = last_hash_;
  std::uint64_t covered = records_since_checkpoint_;
  const auto fail = [&](const AuditError& error) {
    const std::uint64_t first = last_seq_ + 1;
    const std::size_t others = records.size() - result.written - 1;
    result.error = error.with_context(
        "record seq " + std::to_string(first) +
        (others == 0 ? std::string() : " and the " + std::to_string(others) + " after it") + " " +
        (others == 0 ? "was" : "were") + " not written");
    return result;
  };
  // Record (and checkpoint) lines go out in one write, so a failure leaves
  // none of them.
  const auto write_staged = [&](const std::optional<Checkpoint>& checkpoint,
                                const std::string& checkpoint_line, Timestamp time) -> bool {
    if (staged == 0) return true;
    if (auto written = put_locked(bytes); !written) {
      fail(written.error());
      return false;
    }
    last_seq_ = seq;
    const bool background = syncs_in_background();
    if (checkpoint && background) {
      owe_sync_locked(*checkpoint, checkpoint_line, time);
    } else if (checkpoint) {
      after_checkpoint_locked(*checkpoint, checkpoint_line, time, deferred);
    } else {
      last_hash_ = hash;
      records_since_checkpoint_ = covered;
    }
    const bool sync = options_.fsync == FsyncPolicy::kEveryRecord ||
                      (options_.fsync == FsyncPolicy::kCheckpoints && checkpoint && !background);
    if (sync) {
      if (auto synced = sync_locked(); !synced) {
        result.error = synced.error().with_context("record seq " + std::to_string(seq) +
                                                   " was written but may not be on disk");
        return false;
      }
    }
    result.written += staged;
    staged = 0;
    bytes.clear();
    return true;
  };

  if (closed_) {
    result.error =
        AuditError{AuditErrc::kClosed, 0, "the audit log in " + options_.directory.string() + " is closed"};
    return result;
  }
  if (background_sync_failure_) return fail(*background_sync_failure_);
  if (auto opened = ensure_file_locked(); !opened) return fail(opened.error());

  // One time for the batch: its records are written together.
  const Timestamp time = now();
  for (Record& record : records) {
    record.seq = seq + 1;
    record.time = time;
    // Each line is written straight into the batch's buffer, and taken back
    // out if it cannot go there.
    std::size_t line_start = bytes.size();
    append_line(bytes, record, hash);
    std::size_t line_size = bytes.size() - line_start;
    if (line_size > kMaxLineBytes) {
      bytes.resize(line_start);
      if (!write_staged(std::nullopt, {}, time)) return result;
      result.error = AuditError{AuditErrc::kRecordTooLarge, 0,
                                "record seq " + std::to_string(record.seq) + " would be " +
                                    std::to_string(line_size) + " bytes, more than the " +
                                    std::to_string(kMaxLineBytes) +
                                    " an audit line may hold; shorten its request or reason"};
      return result;
    }
    const std::uint64_t file_bytes = current_size_locked() + line_start;
    if (options_.max_file_bytes > 0 && file_bytes > 0 && file_bytes + line_size + 1 > options_.max_file_bytes) {
      bytes.resize(line_start);
      if (!write_staged(std::nullopt, {}, time)) return result;
      if (auto rotated = rotate_locked(deferred); !rotated) {
        return fail(rotated.error().with_context("rotating " + std::string(kCurrentFileName)));
      }
      hash = last_hash_;
      covered = records_since_checkpoint_;
      line_start = bytes.size();  // empty again: the staged lines were written
      append_line(bytes, record, hash);
      line_size = bytes.size() - line_start;
    }
    sha256_hex_to(hash, std::string_view(bytes).substr(line_start, line_size));
    ++seq;
    ++covered;
    bytes.push_back('\n');
    ++staged;
  }

  std::optional<Checkpoint> checkpoint;
  std::string checkpoint_line;
  if (checkpoint_due_locked(covered, time)) {
    auto made = make_checkpoint(key_, seq, time, hash, covered);
    if (!made) return fail(made.error());
    checkpoint_line = to_line(*made);
    bytes += checkpoint_line;
    bytes.push_back('\n');
    checkpoint = std::move(*made);
  }
  write_staged(checkpoint, checkpoint_line, time);
  if (bytes.capacity() > kKeptBatchCapacity) std::string().swap(bytes);
  return result;
}

Result<void, AuditError> AuditLog::checkpoint() {
  std::optional<AuditError> deferred;
  Result<void, AuditError> result;
  {
    const std::lock_guard lock(mutex_);
    if (closed_) {
      return audit_fail(AuditErrc::kClosed,
                        "the audit log in " + options_.directory.string() + " is closed");
    }
    result = write_checkpoint_locked(deferred);
  }
  if (deferred) report_deferred(*deferred);
  return result;
}

Result<void, AuditError> AuditLog::flush() {
  const std::lock_guard lock(mutex_);
  return flush_staging_locked();
}

Result<void, AuditError> AuditLog::close() {
  ticker_.request_stop();
  if (ticker_.joinable() && ticker_.get_id() != std::this_thread::get_id()) ticker_.join();
  std::optional<AuditError> deferred;
  Result<void, AuditError> result;
  {
    std::unique_lock lock(mutex_);
    if (closed_) return {};
    closed_ = true;
    settle_owed_sync(lock);  // the older checkpoint's state first: the state file only moves forward
    result = write_checkpoint_locked(deferred);
    if (result) result = flush_staging_locked();  // what is left stays staged for the next writer
    if (result && file_ && options_.fsync == FsyncPolicy::kNever) {
      // Even without per-write syncs, a clean close leaves the file on disk.
      result = file_->sync();
    }
    file_.reset();
    dir_fd_.reset();  // releases the flock
  }
  if (deferred) report_deferred(*deferred);
  if (!result) return moat::unexpected(result.error().with_context("closing the audit log"));
  return {};
}

std::uint64_t AuditLog::last_seq() const {
  const std::lock_guard lock(mutex_);
  return last_seq_;
}

std::optional<AuditError> AuditLog::take_deferred_error() {
  const std::lock_guard lock(mutex_);
  return std::exchange(deferred_error_, std::nullopt);
}

void AuditLog::report_deferred(AuditError error) {
  if (options_.on_deferred_error) {
    options_.on_deferred_error(error);
    return;
  }
  const std::lock_guard lock(mutex_);
  deferred_error_ = std::move(error);
}

void AuditLog::tick(std::stop_token stop) {
  // Waking at a quarter of the interval bounds how long a record waits for
  // its checkpoint to 1.25 intervals.
  const auto period = options_.checkpoint_interval.count() > 0
                          ? std::max(options_.checkpoint_interval / 4, std::chrono::milliseconds(1))
                          : std::chrono::milliseconds(1000);
  std::unique_lock lock(mutex_);
  while (!stop.stop_requested()) {
    background_ = Background::kIdle;
    wake_.wait_for(lock, stop, period, [this] {
      return owed_sync_.has_value() || (staging_ && staging_->pending() > 0);
    });
    background_ = Background::kBusy;
    if (stop.stop_requested() || closed_) break;
    if (staging_ && staging_->pending() > 0) {
      const bool failed_before = staging_failure_.has_value();
      if (auto flushed = flush_staging_locked(); !flushed && !failed_before) {
        lock.unlock();
        report_deferred(flushed.error().with_context("writing staged records in the background"));
        lock.lock();
      }
      // What is staged meanwhile waits, so that one write(2) takes many
      // appends' lines: each wake-up cost moatd about 60 us beyond the
      // write itself (bench/README.md). After a failure, until an append's
      // write succeeds or a second has passed.
      if (staging_failure_) {
        wake_.wait_for(lock, stop, std::chrono::seconds(1), [this] { return closed_ || !staging_failure_; });
      } else {
        background_ = Background::kGathering;
        const std::uint64_t enough = write_behind_bytes_locked();
        wake_.wait_for(lock, stop, options_.write_behind,
                       [this, enough] { return closed_ || staging_->pending() >= enough; });
        background_ = Background::kBusy;
      }
      if (stop.stop_requested() || closed_) break;
    }
    settle_owed_sync(lock);
    if (closed_ || !checkpoint_due_locked(records_since_checkpoint_, now())) continue;
    std::optional<AuditError> deferred;
    if (auto result = write_checkpoint_locked(deferred, true); !result) {
      deferred = result.error().with_context("writing a checkpoint in the background");
    }
    if (deferred) {
      lock.unlock();
      report_deferred(*deferred);
      lock.lock();
    }
  }
}

}  // namespace moat::core::audit

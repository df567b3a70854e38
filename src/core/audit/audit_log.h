#pragma once
// AuditLog: the writer. Appends records to <directory>/audit.log as one
// canonical JSON line each, chained by hash, signs a checkpoint every N
// records, every T of quiet time, at each rotation and on close, and rotates
// by size (see log_files.h for the names).
//
// Failure contract: append() returns the record's seq only once its line
// (and any checkpoint written with it, in the same write(2)) is in the file
// and, with FsyncPolicy::kEveryRecord, on disk. Any error means the record is
// not in the log (or, for a failed fsync, may not survive a crash); nothing
// is dropped silently, and the caller decides (Moat refuses the request).
// Processes that write audit logs should ignore SIGXFSZ, so that a file size
// limit shows up as EFBIG from append() instead of killing the process.
//
// One process writes a directory at a time: open() takes an exclusive
// flock on the directory and fails with kLocked if another writer holds it.
// Moat has one writer, moatd; moat-runc hands its records to moatd.

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <stop_token>
#include <string>
#include <thread>

#include "core/audit/append_file.h"
#include "core/audit/audit_error.h"
#include "core/audit/audit_record.h"
#include "core/audit/signing_key.h"
#include "core/audit/staging_ring.h"
#include "core/audit/unique_fd.h"
#include "core/result/result.h"

namespace moat::core::audit {

enum class FsyncPolicy {
  kEveryRecord,  // fdatasync after every append: a returned seq survives power loss
  // fdatasync after checkpoints, rotation and close only. With a checkpoint
  // interval, the sync after a checkpoint (and the state file update after
  // it) is done by the background thread, so no append waits for the disk;
  // if that sync fails, every later append fails with its error.
  kCheckpoints,
  kNever,        // leave it to the kernel (tests, tmpfs)
};

struct AuditLogOptions {
  // Created (mode 0700) if missing; its parent must exist. Refused if group
  // or others may write it: they could replace the files under the writer.
  std::filesystem::path directory;
  // Rotate before a record would make audit.log larger than this; 0: never.
  std::uint64_t max_file_bytes = 64ULL << 20;
  // Sign a checkpoint after this many records; 0: only by time, rotation, close.
  std::uint64_t checkpoint_every = 1000;
  // A checkpoint the count asks for waits until this long after the one
  // before: under load the count comes round within milliseconds, and each
  // checkpoint costs a signature, a sync of the log and a new state file.
  std::chrono::milliseconds checkpoint_min_gap{0};
  // Sign a checkpoint when records have waited this long for one (checked on
  // append and by a background thread); zero: off.
  std::chrono::milliseconds checkpoint_interval = std::chrono::seconds(60);
  FsyncPolicy fsync = FsyncPolicy::kEveryRecord;
  mode_t file_mode = 0600;
  // Where to keep a copy of the newest checkpoint (see checkpoint_state.h).
  // Best outside the log directory. On open, a log that ends before the
  // checkpoint recorded there is refused as truncated. The state file is
  // always synced; with FsyncPolicy::kNever a crash can therefore leave it
  // ahead of the log, and reopening refuses.
  std::optional<std::filesystem::path> state_file;
  // Source of record times; empty: the system clock.
  std::function<std::chrono::system_clock::time_point()> clock;
  // Failures that no append can return: a background checkpoint or a state
  // file update that failed, or the closing checkpoint in the destructor.
  // Called without the log's lock held. Without a handler they are kept for
  // take_deferred_error().
  std::function<void(const AuditError&)> on_deferred_error;
  // Write-behind; zero: off, and each append writes audit.log itself. On,
  // appends copy their lines into a staging file in the directory
  // (staging_ring.h), which outlives the process, and a background thread
  // writes them to audit.log: at once when it was idle, else once
  // write_behind_bytes are staged or this long after its last write,
  // whichever comes first, so that one write(2) takes the lines of many
  // appends. The failure contract above holds with "in the staging file"
  // for "in the file": a writer that dies leaves its staged lines for the
  // next one to write before it reads the log's tail. Readers of the files
  // see a line up to this long after append() returned, or at once after
  // flush(). A failed write fails the next append that cannot write it
  // either; nothing staged is dropped. Not with FsyncPolicy::kEveryRecord.
  std::chrono::milliseconds write_behind{0};
  // Staged bytes that wake the background thread before write_behind has
  // passed; zero: half the staging file, which leaves the other half for
  // the appends made while it writes.
  std::uint64_t write_behind_bytes = 0;
  // The staging file's, a multiple of 4096. One of another size is replaced
  // once what it held is in audit.log (when there is room for the new one).
  std::uint64_t staging_capacity = kDefaultStagingCapacity;
};

// The name of the log's background thread (checkpoints, syncs, write-behind).
inline constexpr const char* kWriterThreadName = "audit-log";

class AuditLog {
 public:
  // Continues the log in options.directory (verifying its tail, see
  // chain_tail.h) or starts a new one.
  static Result<std::unique_ptr<AuditLog>, AuditError> open(AuditLogOptions options,
                                                            SigningKey key);

  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;
  // Closes the log; a failure goes to on_deferred_error.
  ~AuditLog();

  // Thread-safe. Assigns seq and time (values in `record` are ignored),
  // chains the line to the one before it (record.prev is ignored) and
  // returns the seq.
  Result<std::uint64_t, AuditError> append(Record record);

  // What append_batch wrote: records[0, written) are in the log; with an
  // error, none from records[written] on are, or, when the error is a failed
  // sync, they may not survive a crash (as with append()).
  struct BatchResult {
    std::size_t written = 0;
    std::optional<AuditError> error;
  };
  // Appends the records in order with one write(2) (one more per rotation
  // the batch crosses), under the same contract as append() for each. A
  // checkpoint the count asks for comes after the batch's last record.
  // Several callers waiting at once share one write: on ext4 a write(2) of
  // a line cost more than building and hashing it. The records get their
  // seq and time; their prev stays as it was (the chain is in the lines).
  BatchResult append_batch(std::span<Record> records);

  // Signs a checkpoint now if records were written since the last one.
  Result<void, AuditError> checkpoint();

  // Writes what is staged (write-behind) to audit.log now.
  Result<void, AuditError> flush();

  // Writes the closing checkpoint, syncs and releases the directory. Later
  // appends fail with kClosed. Calling it again is a no-op.
  Result<void, AuditError> close();

  std::uint64_t last_seq() const;
  // How many bytes open() wrote to audit.log that a staging file held for
  // it: a writer with write-behind had stopped before writing them.
  std::uint64_t recovered_bytes() const { return recovered_bytes_; }
  std::optional<AuditError> take_deferred_error();

 private:
  AuditLog(AuditLogOptions options, SigningKey key, UniqueFd dir_fd);

  BatchResult append_batch_locked(std::span<Record> records, std::optional<AuditError>& deferred);
  Timestamp now() const;
  bool checkpoint_due_locked(std::uint64_t records_since, Timestamp now) const;
  Result<void, AuditError> ensure_file_locked();
  // Every write of lines goes through here: into the staging ring with
  // write-behind, else straight to audit.log.
  Result<void, AuditError> put_locked(std::string_view bytes);
  // Writes the staged lines to audit.log; a failure is kept until a later
  // call succeeds.
  Result<void, AuditError> flush_staging_locked();
  Result<void, AuditError> sync_locked();  // flush_staging_locked, then fdatasync
  // Staged bytes that wake the background thread early (write_behind_bytes).
  std::uint64_t write_behind_bytes_locked() const;
  // audit.log's size with the lines staged for it.
  std::uint64_t current_size_locked() const;
  // `deferred` receives failures that must not fail the call itself (a
  // state file update after a checkpoint that is already in the log).
  // With `in_background`, the sync and state update are left to the
  // background thread (kCheckpoints only, see syncs_in_background()).
  Result<void, AuditError> write_checkpoint_locked(std::optional<AuditError>& deferred,
                                                   bool in_background = false);
  Result<void, AuditError> rotate_locked(std::optional<AuditError>& deferred);
  void after_checkpoint_locked(const Checkpoint& checkpoint, const std::string& line,
                               Timestamp time, std::optional<AuditError>& deferred);
  bool syncs_in_background() const;
  // Leaves the sync of the file holding `checkpoint` and the state update to
  // the background thread; a newer checkpoint replaces an older one owed.
  void owe_sync_locked(const Checkpoint& checkpoint, const std::string& line, Timestamp time);
  // Syncs the owed checkpoint's file and then records it in the state file.
  // Takes `lock` (held on entry and on return) off while the disk works.
  void settle_owed_sync(std::unique_lock<std::mutex>& lock);
  // The state file only moves forward, whichever thread writes it.
  Result<void, AuditError> write_state(std::uint64_t seq, const std::string& line);
  // Called without the lock held.
  void report_deferred(AuditError error);
  void tick(std::stop_token stop);

  const AuditLogOptions options_;
  const SigningKey key_;
  UniqueFd dir_fd_;  // holds the flock until close()

  mutable std::mutex mutex_;
  std::condition_variable_any wake_;
  std::optional<AppendFile> file_;  // empty between a failed rotation and the next attempt
  std::optional<StagingRing> staging_;  // with write-behind only
  std::optional<AuditError> staging_failure_;  // the last write of staged lines failed so
  // What the background thread waits for, so that an append wakes it only
  // when it must: kIdle for any staged line, kGathering for
  // write_behind_bytes (or write_behind to pass).
  enum class Background { kBusy, kIdle, kGathering };
  Background background_ = Background::kBusy;
  std::uint64_t recovered_bytes_ = 0;  // set by open()
  std::uint64_t last_seq_ = 0;
  std::string last_hash_;
  // append_batch_locked's staging buffers (see there).
  static constexpr std::size_t kKeptBatchCapacity = 256 * 1024;
  std::string batch_bytes_;
  std::string batch_hash_;
  std::uint64_t records_since_checkpoint_ = 0;
  Timestamp last_checkpoint_time_{};
  std::uint64_t next_rotation_index_ = 1;
  bool create_current_ = false;  // audit.log must be created (new log or after rotation)
  bool closed_ = false;
  std::optional<AuditError> deferred_error_;

  struct OwedSync {
    UniqueFd file;
    std::filesystem::path path;
    std::uint64_t seq = 0;
    std::string line;
  };
  std::optional<OwedSync> owed_sync_;
  std::optional<AuditError> background_sync_failure_;  // appends refuse once set

  std::mutex state_mutex_;  // taken after mutex_ when both are held
  std::uint64_t state_seq_ = 0;

  std::jthread ticker_;  // last: stopped before the members above go away
};

}  // namespace moat::core::audit

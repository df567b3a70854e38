#include "moatd/audit_sink.h"

#include <csignal>
#include <iostream>

#include <boost/asio/post.hpp>

#include "core/audit/audit_time.h"

namespace moat::moatd {

using core::audit::Record;

Result<std::unique_ptr<AuditSink>> AuditSink::open(const core::stack::Layout& layout, bool refuse_on_failure,
                                                   std::uint64_t rotate_bytes, std::chrono::milliseconds write_behind) {
  // A file size limit must come back as EFBIG from write, not kill moatd.
  std::signal(SIGXFSZ, SIG_IGN);
  auto key = core::audit::SigningKey::load(layout.audit_key());
  if (!key) return fail("audit signing key: " + key.error().message);
  core::audit::AuditLogOptions options;
  options.directory = layout.audit_log_dir("moatd");
  options.state_file = layout.audit_state("moatd");
  options.max_file_bytes = rotate_bytes;
  // Checkpoints by count (every 1000 records), at most one a second: at
  // thousands of requests a second, the count alone cost each record about
  // 2 us (perf).
  options.checkpoint_min_gap = std::chrono::seconds(1);
  // Every record reaches the staging file (or, without write-behind, the
  // log) before its request is forwarded; the disk flush comes with each
  // checkpoint, not with each request (README: Audit).
  options.fsync = core::audit::FsyncPolicy::kCheckpoints;
  options.write_behind = write_behind;
  options.on_deferred_error = [](const core::audit::AuditError& e) {
    std::cerr << "moatd: audit: " << e.message << "\n";
  };
  auto log = core::audit::AuditLog::open(std::move(options), std::move(*key));
  if (!log) return fail("audit log: " + log.error().message);
  if (const auto recovered = (*log)->recovered_bytes(); recovered > 0) {
    std::cerr << "moatd: audit: wrote the " << recovered << " bytes of records that the moatd before had staged but "
              << "not yet written to audit.log\n";
  }
  return std::unique_ptr<AuditSink>(new AuditSink(std::move(*log), refuse_on_failure));
}

void AuditSink::hold(Record record, const std::string& error) {
  ++failed_writes_;
  last_error_ = error;
  if (held_.empty() && dropped_beyond_limit_ == 0) {
    held_since_ = core::audit::format_time(core::audit::to_timestamp(std::chrono::system_clock::now()));
  }
  if (held_.size() < kAuditBacklogLimit) {
    held_.push_back(std::move(record));
  } else {
    ++dropped_beyond_limit_;
  }
}

bool AuditSink::write_held() {
  if (held_.empty() && dropped_beyond_limit_ == 0) return true;
  // First say what happened, so a reader of the log knows why the records
  // that follow carry a later time than their decisions.
  Record gap;
  gap.component = core::audit::Component::kMoatd;
  gap.request = "audit log";
  gap.rule = "audit.write-failed";
  gap.outcome = core::audit::Outcome::kError;
  gap.reason = "the audit log could not be written from " + held_since_ + " (" + last_error_.value_or("") +
               "); the " + std::to_string(held_.size()) +
               " records held in memory meanwhile follow, in order, with the time they were written" +
               (dropped_beyond_limit_ == 0
                    ? std::string()
                    : "; " + std::to_string(dropped_beyond_limit_) + " more decisions beyond the " +
                          std::to_string(kAuditBacklogLimit) + " held could not be kept");
  if (!log_->append(gap)) return false;
  dropped_beyond_limit_ = 0;
  while (!held_.empty()) {
    const auto written = log_->append(held_.front());
    if (!written) {
      last_error_ = written.error().message;
      return false;
    }
    held_.pop_front();
  }
  std::cerr << "moatd: audit log writable again; held records written\n";
  return true;
}

void AuditSink::retry_held() { write_held(); }

std::size_t AuditSink::write(std::vector<Record>& records) {
  std::size_t written = 0;
  if (write_held()) {
    auto result = log_->append_batch(records);
    written = result.written;
    if (result.error) last_error_ = result.error->message;
  } else if (!last_error_) {
    last_error_ = "earlier records are still held";
  }
  if (written == records.size()) return written;
  for (std::size_t i = written; i < records.size(); ++i) hold(std::move(records[i]), *last_error_);
  std::cerr << "moatd: " << records.size() - written << " AUDIT RECORDS NOT WRITTEN (held in memory, "
            << held_.size() << " held): " << *last_error_
            << (refuse_on_failure_ ? "; refusing their requests"
                                   : "; continuing as moat.audit.onWriteFailure says")
            << "\n";
  return written;
}

void AuditSink::queue(Record record, Write when) {
  if (paused_for_benchmark_) return;
  queued_.push_back(std::move(record));
  if (when == Write::kSoon) flush_soon();
}

void AuditSink::flush_soon() {
  if (!executor_) return flush();
  if (flush_posted_) return;
  flush_posted_ = true;
  boost::asio::post(executor_, [this] { flush(); });
}

void AuditSink::after_queued(std::function<void(bool go_ahead)> then, Write when) {
  if (queued_.empty()) {
    const bool nothing_held = held_.empty() && dropped_beyond_limit_ == 0;
    return then(paused_for_benchmark_ || nothing_held || !refuse_on_failure_);
  }
  waiters_.push_back({queued_.size(), std::move(then)});
  if (when == Write::kSoon) flush_soon();
}

void AuditSink::flush() {
  flush_posted_ = false;
  if (queued_.empty()) return;
  // Taken out first: a waiter may queue the next request's record. The
  // vectors swap with spares, so the queues keep their capacity from batch
  // to batch instead of growing again each time.
  std::vector<Record> records;
  std::vector<Waiter> waiters;
  records.swap(spare_records_);
  waiters.swap(spare_waiters_);
  records.swap(queued_);
  waiters.swap(waiters_);
  const std::size_t written = write(records);
  for (auto& waiter : waiters) waiter.then(waiter.records <= written || !refuse_on_failure_);
  records.clear();
  waiters.clear();
  // A burst's large queues are let go, not kept for ever.
  constexpr std::size_t kSpareCapacity = 1024;
  if (records.capacity() > spare_records_.capacity() && records.capacity() <= kSpareCapacity) {
    records.swap(spare_records_);
  }
  if (waiters.capacity() > spare_waiters_.capacity() && waiters.capacity() <= kSpareCapacity) {
    waiters.swap(spare_waiters_);
  }
}

bool AuditSink::record(Record record) {
  if (paused_for_benchmark_) return true;
  flush();
  std::vector<Record> one;
  one.push_back(std::move(record));
  return write(one) == 1 || !refuse_on_failure_;
}

nlohmann::json AuditSink::status() const {
  if (paused_for_benchmark_) return {{"off", "audit is paused by a benchmark build of moatd"}};
  return {{"lastSeq", log_->last_seq()},
          {"failedWrites", failed_writes_},
          {"heldRecords", held_.size()},
          {"lastError", last_error_ ? nlohmann::json(*last_error_) : nlohmann::json()},
          {"onWriteFailure", refuse_on_failure_ ? "refuse" : "continue"}};
}

}  // namespace moat::moatd

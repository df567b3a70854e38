#pragma once
// moatd's side of the audit log: every decision is written before it takes
// effect. When a record cannot be written, moat.audit.onWriteFailure decides:
// "refuse" (default) makes the caller refuse the request; "continue" lets it
// through and status warns loudly. Nothing is dropped silently either way:
// a record that could not be written is held in memory and written, after a
// record saying what happened, as soon as the log takes writes again.
//
// Decisions are written in batches: the records queued while moatd handles
// the connections that are ready are appended together just after them,
// and each request waits for its batch (after_queued) before it takes
// effect. With write-behind the batch is staged, and the log's own thread
// writes many batches with one write(2); without it (or without room for
// the staging file) each batch is one write(2). On ext4 a write(2) of an
// audit line cost more than building and hashing it.

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <nlohmann/json.hpp>

#include "core/audit/audit_log.h"
#include "core/result/result.h"
#include "core/stack/layout.h"
#include "moatd/audit_refusal.h"

namespace moat::moatd {

// Records held while the log refuses writes. Past this, further records are
// only counted, and the count is written in the log once it works again.
inline constexpr std::size_t kAuditBacklogLimit = 10000;

// How long staged records may wait to be written to audit.log together
// (or until half the staging file, 1 MiB, is staged). Each wake-up of the
// writing thread cost moatd about 60 us beyond the bytes it wrote, and on
// this kernel's ext4 a large write(2) costs less a byte than a small one:
// every 5 ms, the thread cost 4 us a containers/json request at 8
// connections; every 100 ms or 128 KiB, about 1 us; every 500 ms or 1 MiB,
// about 0.5 us (bench/README.md). A power loss costs what the last
// checkpoint's sync did not reach either way, and root's moatctl has moatd
// write what is staged before it reads the files.
inline constexpr std::chrono::milliseconds kAuditWriteBehind{500};

class AuditSink {
 public:
  // write_behind: see AuditLogOptions (moatd: kAuditWriteBehind; zero: off).
  static Result<std::unique_ptr<AuditSink>> open(const core::stack::Layout& layout, bool refuse_on_failure,
                                                 std::uint64_t rotate_bytes, std::chrono::milliseconds write_behind);

  // Batches are written from tasks posted to this executor (moatd's event
  // loop). Until it is given, queue() writes at once.
  void batch_on(boost::asio::any_io_executor executor) { executor_ = std::move(executor); }

  // When a queued record is written. kSoon: once the connections that are
  // ready have been served. kAtLeisure: with the next batch, or when someone
  // calls flush() (a read the engine answers from its own state waits so
  // until its answer is ready, and its record shares a write with the
  // records queued meanwhile), and within moatd's periodic flush at the
  // latest.
  enum class Write { kSoon, kAtLeisure };

  // Queues a decision's record (its component as given).
  void queue(core::audit::Record record, Write when = Write::kSoon);
  // Calls `then` once the record queued last is written, with true, or with
  // false when it could not be and the policy is to refuse. At once when
  // nothing is queued: false while records are held.
  void after_queued(std::function<void(bool go_ahead)> then, Write when = Write::kSoon);
  // Writes the queued records now. moatd also calls it periodically and once
  // more after its event loop stops, so no queued record is left behind.
  void flush();

  // Writes the record at once, after those queued. False when it could not
  // be written and the policy is to refuse.
  bool record(core::audit::Record record);

  // Writes what the log has staged (write-behind) to its file, so that a
  // reader of the files finds every record written so far. A failure is
  // also the log's next append's to report.
  Result<void, core::audit::AuditError> write_staged() { return log_->flush(); }

  // Writes held records if the log takes writes again; moatd calls it
  // periodically so they do not wait for the next request.
  void retry_held();

  nlohmann::json status() const;
  // False only while a benchmark build has paused recording: callers then
  // build nothing, so the benchmark measures all of audit's cost.
  bool on() const { return !paused_for_benchmark_; }
  // Only moatd's benchmark switch calls this (ServerOptions).
  void pause_for_benchmark(bool paused) { paused_for_benchmark_ = paused; }

 private:
  AuditSink(std::unique_ptr<core::audit::AuditLog> log, bool refuse_on_failure)
      : log_(std::move(log)), refuse_on_failure_(refuse_on_failure) {}

  // Writes the queued records once the connections that are ready have been
  // served (at once without an executor): what they queue meanwhile shares
  // the write. For kSoon; a read's answer calls flush() (Guard::hurry_records).
  void flush_soon();
  // True when nothing is held any more.
  bool write_held();
  // Writes `records` after the held ones, holds what could not be written,
  // and says how many were written.
  std::size_t write(std::vector<core::audit::Record>& records);
  void hold(core::audit::Record record, const std::string& error);

  struct Waiter {
    std::size_t records;  // how many of the batch's records it waits for
    std::function<void(bool go_ahead)> then;
  };

  std::unique_ptr<core::audit::AuditLog> log_;
  boost::asio::any_io_executor executor_;
  std::vector<core::audit::Record> queued_;
  std::vector<Waiter> waiters_;
  // Emptied queues of the last batch, kept for their capacity.
  std::vector<core::audit::Record> spare_records_;
  std::vector<Waiter> spare_waiters_;
  bool flush_posted_ = false;
  bool paused_for_benchmark_ = false;
  bool refuse_on_failure_ = true;
  std::uint64_t failed_writes_ = 0;
  std::optional<std::string> last_error_;
  std::deque<core::audit::Record> held_;
  std::uint64_t dropped_beyond_limit_ = 0;
  std::string held_since_;
};

}  // namespace moat::moatd

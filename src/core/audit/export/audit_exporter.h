#pragma once
// Follows one audit log directory and hands every entry (records and
// checkpoints, in order) to a syslog sender, at least once: the cursor file
// moves only after the sender confirmed the batch, so a collector that is
// down, slow or restarting gets the missing entries when it is back, and a
// crash between sending and saving the cursor at worst sends a batch twice.
// Rotation is followed by file identity, not by name: a rotated file keeps
// its inode.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <vector>

#include <sys/types.h>
#include <string>

#include <nlohmann/json.hpp>

#include "core/audit/audit_record.h"
#include "core/audit/export/export_cursor.h"
#include "core/audit/export/syslog_sender.h"
#include "core/result/result.h"

namespace moat::core::audit::exporter {

struct ExporterOptions {
  std::filesystem::path log_dir;
  std::filesystem::path cursor_file;
  Component component = Component::kMoatd;  // the log's writer: MSGID of every message
  std::string hostname;
  std::size_t batch = 256;  // entries sent between confirmations
  std::chrono::milliseconds poll{500};
  std::chrono::milliseconds backoff_min{500};
  std::chrono::milliseconds backoff_max{30000};
};

struct ExporterStatus {
  ExportCursor exported;         // last entry the collector took
  std::uint64_t newest_seq = 0;  // newest seq seen in the log
  std::uint64_t sent = 0;        // entries confirmed since start
  std::uint64_t failures = 0;    // passes that ended in an error since start
  std::optional<std::string> last_error;  // cleared by the next pass that delivers everything
  std::optional<std::string> note;        // e.g. the log was replaced and is exported from the start

  std::uint64_t behind() const { return newest_seq > exported.seq ? newest_seq - exported.seq : 0; }
  nlohmann::json to_json() const;
};

class AuditExporter {
 public:
  static Result<std::unique_ptr<AuditExporter>> open(ExporterOptions options,
                                                     std::unique_ptr<SyslogSender> sender);

  // Sends everything after the cursor; the number of entries delivered.
  Result<std::uint64_t> export_pending();

  // export_pending() every `poll` until stopped; after a failure it waits
  // backoff_min, doubling up to backoff_max, then tries again.
  void run(std::stop_token stop);

  ExporterStatus status() const;

 private:
  AuditExporter(ExporterOptions options, std::unique_ptr<SyslogSender> sender, ExportCursor cursor);

  struct Pending;
  Result<std::uint64_t> export_pass();
  Result<void> deliver(const std::vector<Pending>& batch);
  void set_error(const std::string& message);

  ExporterOptions options_;
  std::unique_ptr<SyslogSender> sender_;
  ExportCursor cursor_;
  // Where reading can resume: every entry of the file with this identity
  // before this offset is at or before the cursor.
  struct Resume {
    dev_t device = 0;
    ino_t inode = 0;
    std::uint64_t offset = 0;
  };
  std::optional<Resume> resume_;

  mutable std::mutex status_mutex_;
  ExporterStatus status_;
};

}  // namespace moat::core::audit::exporter

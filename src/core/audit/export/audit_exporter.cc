#include "core/audit/export/audit_exporter.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <system_error>

#include "core/audit/export/syslog_message.h"
#include "core/audit/log_files.h"
#include "core/audit/unique_fd.h"

namespace moat::core::audit::exporter {

struct AuditExporter::Pending {
  Entry entry;
  std::string line;
  dev_t device = 0;
  ino_t inode = 0;
  std::uint64_t end = 0;  // offset just after the line's newline
};

namespace {

// Rotation keeps files at rotateMegabytes (at most 64 GiB by the setting's
// range); one pass holds at most this much of a file in memory.
constexpr std::uint64_t kMaxReadBytes = 256ULL << 20;

std::string errno_text(int err) { return std::system_category().message(err); }

// What may directly follow `position` in an intact log.
bool follows(ExportCursor position, ExportCursor next) {
  if (next.checkpoint) return next.seq == position.seq && !position.checkpoint;
  return next.seq == position.seq + 1;
}

struct OpenedFile {
  UniqueFd fd;
  dev_t device = 0;
  ino_t inode = 0;
  std::uint64_t size = 0;
};

Result<OpenedFile> open_log_file(const LogFile& file) {
  OpenedFile out;
  out.fd = UniqueFd(::open(file.path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!out.fd.valid()) return fail("opening " + file.path.string() + ": " + errno_text(errno));
  struct stat info {};
  if (::fstat(out.fd.get(), &info) != 0) return fail("reading " + file.path.string() + ": " + errno_text(errno));
  if (!S_ISREG(info.st_mode)) return fail(file.path.string() + " is not a regular file");
  out.device = info.st_dev;
  out.inode = info.st_ino;
  out.size = static_cast<std::uint64_t>(info.st_size);
  return out;
}

Result<std::string> read_from(const OpenedFile& file, std::uint64_t offset, const std::string& name) {
  const std::uint64_t length = std::min(file.size - offset, kMaxReadBytes);
  std::string bytes(static_cast<std::size_t>(length), '\0');
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t got = ::pread(file.fd.get(), bytes.data() + done, bytes.size() - done,
                                static_cast<off_t>(offset + done));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return fail("reading " + name + ": " + errno_text(errno));
    if (got == 0) break;
    done += static_cast<std::size_t>(got);
  }
  bytes.resize(done);
  return bytes;
}

}  // namespace

nlohmann::json ExporterStatus::to_json() const {
  nlohmann::json out = {{"exportedSeq", exported.seq},
                        {"newestSeq", newest_seq},
                        {"recordsBehind", behind()},
                        {"sent", sent},
                        {"failures", failures},
                        {"lastError", last_error ? nlohmann::json(*last_error) : nlohmann::json(nullptr)}};
  if (note) out["note"] = *note;
  return out;
}

AuditExporter::AuditExporter(ExporterOptions options, std::unique_ptr<SyslogSender> sender, ExportCursor cursor)
    : options_(std::move(options)), sender_(std::move(sender)), cursor_(cursor) {
  status_.exported = cursor;
}

Result<std::unique_ptr<AuditExporter>> AuditExporter::open(ExporterOptions options,
                                                           std::unique_ptr<SyslogSender> sender) {
  if (!sender) return fail("no syslog sender");
  if (options.batch == 0) return fail("the export batch must hold at least one entry");
  auto cursor = read_cursor(options.cursor_file);
  if (!cursor) return unexpected(std::move(cursor).error());
  return std::unique_ptr<AuditExporter>(new AuditExporter(std::move(options), std::move(sender), *cursor));
}

ExporterStatus AuditExporter::status() const {
  std::lock_guard lock(status_mutex_);
  return status_;
}

void AuditExporter::set_error(const std::string& message) {
  std::lock_guard lock(status_mutex_);
  status_.last_error = message;
  ++status_.failures;
}

Result<std::uint64_t> AuditExporter::export_pending() {
  auto done = export_pass();
  if (!done) {
    set_error(done.error().message);
  } else {
    std::lock_guard lock(status_mutex_);
    status_.last_error.reset();
  }
  return done;
}

Result<std::uint64_t> AuditExporter::export_pass() {
  std::uint64_t delivered = 0;
  for (;;) {
    std::error_code ec;
    if (!std::filesystem::exists(options_.log_dir, ec)) return delivered;  // nothing written yet
    auto files = list_log_files(options_.log_dir);
    if (!files) return fail(files.error().message);

    // Start at the file holding the resume point, if it is still there;
    // every older file was exported before it.
    std::vector<OpenedFile> opened;
    std::size_t start = 0;
    std::uint64_t start_offset = 0;
    for (const auto& file : *files) {
      auto handle = open_log_file(file);
      if (!handle) {
        if (file.index == 0) continue;  // audit.log between a rotation and its successor
        return unexpected(std::move(handle).error());
      }
      if (resume_ && handle->device == resume_->device && handle->inode == resume_->inode &&
          handle->size >= resume_->offset) {
        start = opened.size();
        start_offset = resume_->offset;
      }
      opened.push_back(std::move(*handle));
    }
    const bool full_scan = start == 0 && start_offset == 0;

    std::vector<Pending> batch;
    ExportCursor last_seen = cursor_;
    std::optional<ExportCursor> newest;
    std::string gap;
    for (std::size_t i = start; i < opened.size() && batch.size() < options_.batch && gap.empty(); ++i) {
      const LogFile& file = (*files)[i];
      const std::string name = file.path.string();
      const std::uint64_t from = i == start ? start_offset : 0;
      auto bytes = read_from(opened[i], from, name);
      if (!bytes) return unexpected(std::move(bytes).error());
      const Lines split = split_lines(*bytes);
      std::size_t complete = split.lines.size();
      if (!split.ends_with_newline) {
        if (file.index != 0 && bytes->size() == opened[i].size - from) {
          return fail(name + ": the last line is incomplete (run moatctl audit verify)");
        }
        --complete;  // a write in progress, or the end of what one pass reads
      }
      std::uint64_t offset = from;
      for (std::size_t l = 0; l < complete && batch.size() < options_.batch; ++l) {
        const std::string_view line = split.lines[l];
        offset += line.size() + 1;
        auto entry = parse_line(line);
        if (!entry) return fail(name + ": " + entry.error().message + " (run moatctl audit verify)");
        const ExportCursor position = position_of(*entry);
        newest = newest ? std::max(*newest, position) : position;
        if (position <= cursor_) continue;
        // A fresh cursor starts wherever the log starts (older files may
        // have been removed); after that, entries must follow one another.
        if (!(last_seen.seq == 0 && batch.empty()) && !follows(last_seen, position)) {
          gap = "the audit log continues with seq " + std::to_string(position.seq) + " after seq " +
                std::to_string(last_seen.seq) + " in " + name +
                ": entries are missing, or a rotation was in progress";
          break;
        }
        batch.push_back(Pending{std::move(*entry), std::string(line), opened[i].device, opened[i].inode, offset});
        last_seen = position;
      }
    }

    if (newest) {
      // Known before delivery, so status shows how far behind a collector
      // that is down has fallen.
      std::lock_guard lock(status_mutex_);
      status_.newest_seq = std::max(status_.newest_seq, newest->seq);
    }
    if (batch.empty()) {
      if (!gap.empty()) return fail(gap);
      // A log that ends before the cursor was replaced by a new one (its seqs
      // start again at 1): export the new log from its start.
      if (full_scan && cursor_.seq != 0 && (!newest || *newest < cursor_)) {
        const ExportCursor old = cursor_;
        cursor_ = ExportCursor{};
        resume_.reset();
        if (auto saved = write_cursor(options_.cursor_file, cursor_); !saved) return unexpected(saved.error());
        std::lock_guard lock(status_mutex_);
        status_.exported = cursor_;
        status_.note = "the audit log ends before the exported seq " + std::to_string(old.seq) +
                       ": it was replaced, and is exported again from its start";
        continue;
      }
      std::lock_guard lock(status_mutex_);
      status_.newest_seq = std::max(status_.newest_seq, newest ? newest->seq : 0);
      return delivered;
    }

    if (auto sent = deliver(batch); !sent) return unexpected(sent.error());
    const Pending& last = batch.back();
    cursor_ = position_of(last.entry);
    if (auto saved = write_cursor(options_.cursor_file, cursor_); !saved) return unexpected(saved.error());
    resume_ = Resume{last.device, last.inode, last.end};
    delivered += batch.size();
    {
      std::lock_guard lock(status_mutex_);
      status_.exported = cursor_;
      status_.sent += batch.size();
      status_.newest_seq = std::max({status_.newest_seq, cursor_.seq, newest ? newest->seq : 0});
    }
    if (!gap.empty()) return fail(gap);
  }
}

Result<void> AuditExporter::deliver(const std::vector<Pending>& batch) {
  for (const auto& pending : batch) {
    const std::string message =
        format_syslog_message(pending.entry, pending.line, options_.component, options_.hostname);
    if (auto sent = sender_->send(message); !sent) return sent;
  }
  return sender_->confirm();
}

void AuditExporter::run(std::stop_token stop) {
  std::mutex mutex;
  std::condition_variable_any wake;
  auto backoff = options_.backoff_min;
  while (!stop.stop_requested()) {
    const bool ok = export_pending().has_value();
    const auto wait = ok ? options_.poll : backoff;
    backoff = ok ? options_.backoff_min : std::min(backoff * 2, options_.backoff_max);
    std::unique_lock lock(mutex);
    wake.wait_for(lock, stop, wait, [] { return false; });
  }
  sender_->disconnect();
}

}  // namespace moat::core::audit::exporter

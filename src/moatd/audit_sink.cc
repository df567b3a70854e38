#include "moatd/audit_sink.h"

#include <csignal>
#include <iostream>

namespace moat::moatd {

Result<std::unique_ptr<AuditSink>> AuditSink::open(const core::stack::Layout& layout, bool refuse_on_failure,
                                                   std::uint64_t rotate_bytes) {
  // A file size limit must come back as EFBIG from write, not kill moatd.
  std::signal(SIGXFSZ, SIG_IGN);
  auto key = core::audit::SigningKey::load(layout.audit_key());
  if (!key) return fail("audit signing key: " + key.error().message);
  core::audit::AuditLogOptions options;
  options.directory = layout.audit_log_dir("moatd");
  options.state_file = layout.audit_state("moatd");
  options.max_file_bytes = rotate_bytes;
  // Every record reaches the file before its request is forwarded; the disk
  // flush comes with each checkpoint, not with each request (README: Audit).
  options.fsync = core::audit::FsyncPolicy::kCheckpoints;
  options.on_deferred_error = [](const core::audit::AuditError& e) {
    std::cerr << "moatd: audit: " << e.message << "\n";
  };
  auto log = core::audit::AuditLog::open(std::move(options), std::move(*key));
  if (!log) return fail("audit log: " + log.error().message);
  return std::unique_ptr<AuditSink>(new AuditSink(std::move(*log), refuse_on_failure));
}

bool AuditSink::record(core::audit::Record record) {
  record.component = core::audit::Component::kMoatd;
  const auto written = log_->append(std::move(record));
  if (written) return true;
  ++failed_writes_;
  last_error_ = written.error().message;
  std::cerr << "moatd: AUDIT RECORD NOT WRITTEN: " << written.error().message
            << (refuse_on_failure_ ? "; refusing the request" : "; continuing as moat.audit.onWriteFailure says")
            << "\n";
  return !refuse_on_failure_;
}

nlohmann::json AuditSink::status() const {
  return {{"lastSeq", log_->last_seq()},
          {"failedWrites", failed_writes_},
          {"lastError", last_error_ ? nlohmann::json(*last_error_) : nlohmann::json()},
          {"onWriteFailure", refuse_on_failure_ ? "refuse" : "continue"}};
}

}  // namespace moat::moatd

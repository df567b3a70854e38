#pragma once
// moatd's export of the audit log (its own decisions and moat-runc's, one
// chain) to the organisation's syslog collector, as moat.audit.syslog says.
// The exporter thread keeps its cursor file next to the log; a change of the
// export settings restarts it, and stopping waits for it.

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/audit/export/audit_exporter.h"
#include "core/settings/effective_settings.h"
#include "core/stack/layout.h"

namespace moat::moatd {

// The settings the export depends on.
struct SyslogExportConfig {
  std::string target;
  std::string ca_file;
  std::string client_cert;
  std::string client_key;
  bool operator==(const SyslogExportConfig&) const = default;
};

SyslogExportConfig syslog_export_config(const core::settings::EffectiveSettings& settings);

class SyslogExport {
 public:
  explicit SyslogExport(core::stack::Layout layout);
  ~SyslogExport();
  SyslogExport(const SyslogExport&) = delete;
  SyslogExport& operator=(const SyslogExport&) = delete;

  // Starts, restarts or stops the exporters to match the settings; nothing
  // happens when the export settings did not change.
  void apply(const core::settings::EffectiveSettings& settings);
  void stop();

  // {"target": "...", "state": "off" | "exporting" | "refused", "error": ...,
  //  "logs": {"moatd": {...}}}
  nlohmann::json status() const;

 private:
  struct Running {
    std::shared_ptr<core::audit::exporter::AuditExporter> exporter;
    std::jthread thread;
  };
  void start(const SyslogExportConfig& config);

  core::stack::Layout layout_;
  mutable std::mutex mutex_;
  std::optional<SyslogExportConfig> config_;
  std::optional<std::string> error_;
  std::map<std::string, Running> running_;
};

// The status of moatd's running export, for the control API's status call;
// {"state": "off"} when there is none.
nlohmann::json audit_export_status();

}  // namespace moat::moatd

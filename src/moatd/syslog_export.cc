#include "moatd/syslog_export.h"

#include <unistd.h>

#include <array>
#include <iostream>

#include "core/audit/export/syslog_sender.h"
#include "core/audit/export/syslog_target.h"

namespace moat::moatd {
namespace {

namespace exporter = core::audit::exporter;

// Below the 10 s moatctl gives moatd to stop: a blocked connect or write
// ends within it.
constexpr auto kSendTimeout = std::chrono::seconds(3);

std::mutex current_mutex;
const SyslogExport* current = nullptr;

std::string host_name() {
  std::array<char, 256> name{};
  if (::gethostname(name.data(), name.size() - 1) != 0) return "-";
  return name.data();
}

}  // namespace

SyslogExportConfig syslog_export_config(const core::settings::EffectiveSettings& settings) {
  return SyslogExportConfig{settings.value("moat.audit.syslog").get<std::string>(),
                            settings.value("moat.audit.syslogCaFile").get<std::string>(),
                            settings.value("moat.audit.syslogClientCert").get<std::string>(),
                            settings.value("moat.audit.syslogClientKey").get<std::string>()};
}

SyslogExport::SyslogExport(core::stack::Layout layout) : layout_(std::move(layout)) {
  std::lock_guard lock(current_mutex);
  current = this;
}

SyslogExport::~SyslogExport() {
  {
    std::lock_guard lock(current_mutex);
    if (current == this) current = nullptr;
  }
  stop();
}

void SyslogExport::apply(const core::settings::EffectiveSettings& settings) {
  const SyslogExportConfig config = syslog_export_config(settings);
  {
    std::lock_guard lock(mutex_);
    if (config_ == config) return;
  }
  stop();
  start(config);
}

void SyslogExport::stop() {
  std::map<std::string, Running> stopping;
  {
    std::lock_guard lock(mutex_);
    stopping.swap(running_);
    config_.reset();
    error_.reset();
  }
  for (auto& [name, run] : stopping) run.thread.request_stop();
  stopping.clear();  // joins
}

void SyslogExport::start(const SyslogExportConfig& config) {
  std::lock_guard lock(mutex_);
  config_ = config;
  const auto refuse = [&](const std::string& message) {
    running_.clear();  // stops and joins what already started
    error_ = "audit export to \"" + config.target + "\" is off: " + message;
    std::cerr << "moatd: " << *error_ << "\n";
  };
  auto target = exporter::parse_syslog_target(config.target);
  if (!target) return refuse(target.error().message);
  if (!*target) return;
  if ((*target)->transport == exporter::SyslogTransport::kTls && config.ca_file.empty()) {
    return refuse("a tls target needs moat.audit.syslogCaFile, the CA the collector's certificate must chain to");
  }
  exporter::SenderOptions sender_options;
  sender_options.target = **target;
  sender_options.ca_file = config.ca_file;
  sender_options.client_cert_file = config.client_cert;
  sender_options.client_key_file = config.client_key;
  sender_options.timeout = kSendTimeout;
  const std::string host = host_name();
  for (const auto component : {core::audit::Component::kMoatd}) {
    const std::string name(core::audit::to_string(component));
    auto sender = exporter::make_syslog_sender(sender_options);
    if (!sender) return refuse(sender.error().message);
    exporter::ExporterOptions options;
    options.log_dir = layout_.audit_log_dir(name);
    options.cursor_file = layout_.audit_dir() + "/" + name + ".syslog-cursor";
    options.component = component;
    options.hostname = host;
    auto opened = exporter::AuditExporter::open(std::move(options), std::move(*sender));
    if (!opened) return refuse(opened.error().message);
    std::shared_ptr<exporter::AuditExporter> shared = std::move(*opened);
    running_[name] = Running{shared, std::jthread([shared](std::stop_token stop) { shared->run(stop); })};
  }
  std::cerr << "moatd: exporting the audit log to " << config.target << "\n";
}

nlohmann::json SyslogExport::status() const {
  std::lock_guard lock(mutex_);
  if (!config_ || config_->target.empty()) return {{"state", "off"}};
  nlohmann::json out = {{"target", config_->target}};
  if (error_) {
    out["state"] = "refused";
    out["error"] = *error_;
    return out;
  }
  out["state"] = "exporting";
  nlohmann::json logs = nlohmann::json::object();
  for (const auto& [name, run] : running_) logs[name] = run.exporter->status().to_json();
  out["logs"] = std::move(logs);
  return out;
}

nlohmann::json audit_export_status() {
  std::lock_guard lock(current_mutex);
  if (current == nullptr) return {{"state", "off"}};
  return current->status();
}

}  // namespace moat::moatd

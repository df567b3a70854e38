#pragma once
// moatctl's verbs. Each parses nothing itself: main.cc fills the options,
// the verb does its one job and returns the process exit code.

#include <string>

namespace moat::cli {

struct StackOptions {
  std::string root;            // empty: the installed layout
  std::string admin_settings;  // empty: /etc/moat/admin-settings.json
};

int run_up(const StackOptions& options);
int run_down(const StackOptions& options);
int run_status(const StackOptions& options, bool as_json);
int run_settings_validate(const std::string& file);
int run_settings_set(const StackOptions& options, const std::string& key, const std::string& value);
int run_settings_show(const StackOptions& options, bool as_json);

struct AuditQueryOptions {
  std::string component;  // empty: every component
  std::string since, until, rule, container, outcome;  // times in RFC 3339 as the log writes them
  long long uid = -1;
  std::size_t limit = 1000;
  std::size_t tail = 0;  // > 0: the last N records, no filter
  bool as_json = false;
};

int run_audit_verify(const StackOptions& options);
int run_audit_query(const StackOptions& options, const AuditQueryOptions& query);

// Code and settings verification (manifest_commands.cc, verify_commands.cc).
int run_manifest_write(const StackOptions& options, const std::string& bin_dir);  // bin_dir empty: beside moatctl
int run_verify(const StackOptions& options, bool as_json);
int run_settings_sign(const std::string& private_key, const std::string& file);

}  // namespace moat::cli

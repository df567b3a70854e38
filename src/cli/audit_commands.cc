#include <unistd.h>

#include <iostream>

#include "cli/commands.h"
#include "core/audit/query.h"
#include "core/audit/verify.h"
#include "core/stack/layout.h"

namespace moat::cli {
namespace {

using namespace core::audit;

bool require_root(const std::string& verb) {
  if (::geteuid() == 0) return true;
  std::cerr << "moatctl audit " << verb << ": only root reads everyone's audit records\n";
  return false;
}

void print(const std::vector<Record>& records, bool as_json) {
  for (const auto& r : records) {
    if (as_json) {
      std::cout << to_line(r) << "\n";
      continue;
    }
    std::cout << format_time(r.time) << " #" << r.seq << " " << to_string(r.component) << " "
              << to_string(r.outcome) << " " << r.rule;
    if (r.caller) std::cout << " uid=" << r.caller->uid << " pid=" << r.caller->pid;
    if (r.container) std::cout << " container=" << *r.container;
    std::cout << " " << r.request;
    if (!r.reason.empty()) std::cout << " -- " << r.reason;
    std::cout << "\n";
  }
}

}  // namespace

int run_audit_verify(const StackOptions& options, const std::string& component) {
  if (!require_root("verify")) return 1;
  const auto layout = core::stack::make_layout(options.root, options.admin_settings);
  const auto key = VerifyKey::load(public_key_path_for(layout.audit_key()));
  if (!key) {
    std::cerr << "moatctl audit verify: " << key.error().message << "\n";
    return 1;
  }
  VerifyOptions verify_options;
  verify_options.state_file = layout.audit_state(component);
  const auto report = verify(layout.audit_log_dir(component), *key, verify_options);
  if (!report) {
    std::cerr << "moatctl audit verify: " << report.error().message << "\n";
    return 1;
  }
  if (!report->ok) {
    const auto& p = *report->first_problem;
    std::cout << layout.audit_log_dir(component) << "/" << p.file << ":" << p.line << ": seq " << p.seq << ": "
              << to_string(p.kind) << ": " << p.message << "\n";
    return 1;
  }
  std::cout << component << " audit log verified: " << report->records << " records, " << report->checkpoints
            << " signed checkpoints in " << report->files << " file" << (report->files == 1 ? "" : "s")
            << ", last seq " << report->last_seq << ", " << report->unsigned_records
            << " records after the last checkpoint\n";
  return 0;
}

int run_audit_query(const StackOptions& options, const AuditQueryOptions& q) {
  if (!require_root(q.tail > 0 ? "tail" : "query")) return 1;
  const auto layout = core::stack::make_layout(options.root, options.admin_settings);
  QueryFilter filter;
  if (!q.since.empty()) {
    auto t = parse_time(q.since);
    if (!t) {
      std::cerr << "moatctl audit query: --since: " << t.error().message << "\n";
      return 1;
    }
    filter.since = *t;
  }
  if (!q.until.empty()) {
    auto t = parse_time(q.until);
    if (!t) {
      std::cerr << "moatctl audit query: --until: " << t.error().message << "\n";
      return 1;
    }
    filter.until = *t;
  }
  if (q.uid >= 0) filter.caller_uid = static_cast<std::uint32_t>(q.uid);
  if (!q.rule.empty()) filter.rule = q.rule;
  if (!q.container.empty()) filter.container = q.container;
  if (!q.outcome.empty()) {
    filter.outcome = outcome_from_string(q.outcome);
    if (!filter.outcome) {
      std::cerr << "moatctl audit query: --outcome must be allow, deny or error\n";
      return 1;
    }
  }
  const auto records = q.tail > 0 ? tail(layout.audit_log_dir(q.component), q.tail)
                                  : query(layout.audit_log_dir(q.component), filter, q.limit);
  if (!records) {
    std::cerr << "moatctl audit: " << records.error().message << "\n";
    return 1;
  }
  print(*records, q.as_json);
  return 0;
}

}  // namespace moat::cli

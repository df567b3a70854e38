#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <system_error>

#include "cli/commands.h"
#include "core/audit/query.h"
#include "core/audit/staging_ring.h"
#include "core/audit/verify.h"
#include "core/json/strict_json.h"
#include "core/net/unix_http_client.h"
#include "core/stack/layout.h"

namespace moat::cli {
namespace {

using namespace core::audit;

// The log is root's; anyone else asks moatd, which answers with the records
// of the caller's own requests only.
constexpr const char* kLogComponent = "moatd";  // the one writer: moat-runc's records are in it too

bool require_root(const std::string& verb) {
  if (::geteuid() == 0) return true;
  std::cerr << "moatctl audit " << verb << ": only root verifies the audit log\n";
  return false;
}

std::string url_escape(const std::string& text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
        c == '_' || c == '~' || c == ':') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// moatd's control answer to METHOD TARGET, its JSON object when the status
// is 200, else the reason moatd gave (or that it did not answer).
Result<nlohmann::json> ask_moatd(const core::stack::Layout& layout, const std::string& method,
                                 const std::string& target, std::chrono::milliseconds timeout) {
  const auto response = core::net::unix_http_request(layout.control_socket(), method, target, {}, timeout);
  if (!response) return fail("moatd does not answer on " + layout.control_socket() + ": " + response.error().message);
  auto doc = core::json::parse_strict(response->body);
  if (!doc || !doc->value.is_object()) return fail("moatd answered " + std::to_string(response->status));
  if (response->status != 200) return fail(doc->value.value("message", "moatd answered " + std::to_string(response->status)));
  return std::move(doc->value);
}

Result<std::vector<Record>> own_records_from_moatd(const core::stack::Layout& layout, const AuditQueryOptions& q) {
  std::string target = "/audit/records?";
  const auto add = [&target](const char* key, const std::string& value) {
    if (value.empty()) return;
    if (target.back() != '?') target += '&';
    target += std::string(key) + "=" + url_escape(value);
  };
  if (q.tail > 0) {
    add("tail", std::to_string(q.tail));
  } else {
    add("since", q.since);
    add("until", q.until);
    add("rule", q.rule);
    add("container", q.container);
    add("outcome", q.outcome);
    add("limit", std::to_string(q.limit));
    if (q.uid >= 0) add("uid", std::to_string(q.uid));
  }
  add("component", q.component);
  if (target.back() == '?') target.pop_back();
  const auto doc = ask_moatd(layout, "GET", target, std::chrono::seconds(10));
  if (!doc) return fail(doc.error().message);
  std::vector<Record> records;
  for (const auto& line : doc->value("records", nlohmann::json::array())) {
    if (!line.is_string()) return fail("moatd answered a record that is not a string");
    auto entry = parse_line(line.get<std::string>());
    if (!entry || is_checkpoint(*entry)) return fail("moatd answered a malformed record");
    records.push_back(std::get<Record>(std::move(*entry)));
  }
  return records;
}

// moatd stages its records and writes them to audit.log in batches (README:
// Audit); root, who reads the files directly, first has it write what it
// staged. Without a running moatd there is nothing to ask: what a moatd that
// died had staged is written when the next one starts, and verify counts it.
void have_moatd_write_staged(const core::stack::Layout& layout, const std::string& verb) {
  std::error_code ec;
  if (!std::filesystem::exists(layout.control_socket(), ec)) return;
  if (const auto written = ask_moatd(layout, "POST", "/audit/write-staged", std::chrono::seconds(5)); !written) {
    std::cerr << "moatctl audit " << verb << ": " << written.error().message
              << "; the records it staged last may not be in audit.log yet\n";
  }
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

int run_audit_verify(const StackOptions& options) {
  const std::string component = kLogComponent;
  if (!require_root("verify")) return 1;
  const auto layout = core::stack::make_layout(options.root, options.admin_settings);
  const auto key = VerifyKey::load(public_key_path_for(layout.audit_key()));
  if (!key) {
    std::cerr << "moatctl audit verify: " << key.error().message << "\n";
    return 1;
  }
  have_moatd_write_staged(layout, "verify");
  VerifyOptions verify_options;
  verify_options.state_file = layout.audit_state(component);
  const auto report = verify(layout.audit_log_dir(component), *key, verify_options);
  if (!report) {
    std::cerr << "moatctl audit verify: " << report.error().message << "\n";
    return 1;
  }
  if (report->staging_problem) std::cout << *report->staging_problem << "\n";
  if (report->staged_bytes > 0) {
    std::cout << report->staged_bytes << " bytes of records are staged in "
              << layout.audit_log_dir(component) << "/" << core::audit::kStagingFileName
              << " and not yet in audit.log: moatd writes them within 0.1 s, or when it next starts\n";
  }
  if (!report->ok) {
    const auto& p = *report->first_problem;
    std::cout << layout.audit_log_dir(component) << "/" << p.file << ":" << p.line << ": seq " << p.seq << ": "
              << to_string(p.kind) << ": " << p.message << "\n";
    return 1;
  }
  std::cout << "audit log verified: " << report->records << " records, " << report->checkpoints
            << " signed checkpoints in " << report->files << " file" << (report->files == 1 ? "" : "s")
            << ", last seq " << report->last_seq << ", " << report->unsigned_records
            << " records after the last checkpoint\n";
  return report->staging_problem ? 1 : 0;
}

int run_audit_query(const StackOptions& options, const AuditQueryOptions& q) {
  const auto layout = core::stack::make_layout(options.root, options.admin_settings);
  if (::geteuid() != 0) {
    const auto records = own_records_from_moatd(layout, q);
    if (!records) {
      std::cerr << "moatctl audit: " << records.error().message << "\n";
      return 1;
    }
    print(*records, q.as_json);
    return 0;
  }
  have_moatd_write_staged(layout, q.tail > 0 ? "tail" : "query");
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
  if (!q.component.empty()) {
    filter.component = component_from_string(q.component);
    if (!filter.component) {
      std::cerr << "moatctl audit: --component must be moatd, moat-runc or moatctl\n";
      return 1;
    }
  }
  // A tail with a component: the newest matching records.
  auto records = q.tail > 0 && !filter.component ? tail(layout.audit_log_dir(kLogComponent), q.tail)
                                                 : query(layout.audit_log_dir(kLogComponent), filter,
                                                         q.tail > 0 ? SIZE_MAX : q.limit);
  if (records && q.tail > 0 && records->size() > q.tail) {
    records->erase(records->begin(), records->end() - static_cast<std::ptrdiff_t>(q.tail));
  }
  if (!records) {
    std::cerr << "moatctl audit: " << records.error().message << "\n";
    return 1;
  }
  print(*records, q.as_json);
  return 0;
}

}  // namespace moat::cli

#pragma once
// Shared pieces for the audit tests: a temporary directory per test, a fake
// clock, and functions that read and rewrite log lines the way an attacker
// with write access to the files would.

#include <sys/resource.h>

#include <csignal>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/audit/audit_log.h"
#include "core/audit/audit_record.h"
#include "core/audit/hash_chain.h"
#include "core/audit/signing_key.h"
#include "support/temp_dir.h"

namespace moat::core::audit::testing_support {

using moat::testing_support::TempDir;

// A clock tests move by hand; starts at 2026-08-01T10:00:00.000Z.
class FakeClock {
 public:
  std::chrono::system_clock::time_point now() const {
    return std::chrono::system_clock::time_point(std::chrono::milliseconds(ms_.load()));
  }
  void advance(std::chrono::milliseconds by) { ms_ += by.count(); }
  std::function<std::chrono::system_clock::time_point()> function() {
    return [this] { return now(); };
  }

 private:
  std::atomic<std::int64_t> ms_{1785578400000};  // 2026-08-01T10:00:00Z
};

inline SigningKey new_key() {
  auto key = SigningKey::generate();
  if (!key) throw std::runtime_error(key.error().message);
  return std::move(*key);
}

// Record number i with fields that vary, so queries have something to find.
inline Record sample_record(int i) {
  Record record;
  record.component = i % 5 == 0 ? Component::kMoatRunc : Component::kMoatd;
  record.caller = Caller{static_cast<std::uint32_t>(1000 + i % 3),
                         static_cast<std::uint32_t>(4000 + i), "/usr/bin/docker"};
  if (i % 2 == 0) record.container = "c" + std::to_string(i % 4);
  record.request = "POST /containers/create #" + std::to_string(i);
  record.rule = "rule-" + std::to_string(i % 4);
  record.outcome = i % 3 == 0 ? Outcome::kDeny : Outcome::kAllow;
  record.reason = "reason " + std::to_string(i);
  return record;
}

// Options for deterministic tests: no background thread, no fsync.
// Stands in for a full disk: while it lives, a write that would make a file
// of this process larger than `bytes` fails with EFBIG (SIGXFSZ ignored).
class FileSizeLimit {
 public:
  explicit FileSizeLimit(std::uint64_t bytes) : old_handler_(::signal(SIGXFSZ, SIG_IGN)) {
    ok_ = ::getrlimit(RLIMIT_FSIZE, &old_) == 0;
    rlimit small = old_;
    small.rlim_cur = bytes;
    ok_ = ok_ && ::setrlimit(RLIMIT_FSIZE, &small) == 0;
  }
  ~FileSizeLimit() { lift(); }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;

  bool ok() const { return ok_; }
  // Gives the space back before the end of the scope.
  void lift() {
    if (lifted_) return;
    lifted_ = true;
    if (ok_) ::setrlimit(RLIMIT_FSIZE, &old_);
    ::signal(SIGXFSZ, old_handler_);
  }

 private:
  sighandler_t old_handler_;
  rlimit old_{};
  bool ok_ = false;
  bool lifted_ = false;
};

inline AuditLogOptions quiet_options(const std::filesystem::path& dir) {
  AuditLogOptions options;
  options.directory = dir;
  options.checkpoint_every = 5;
  options.checkpoint_interval = std::chrono::milliseconds(0);
  options.fsync = FsyncPolicy::kNever;
  options.max_file_bytes = 0;
  return options;
}

// Appends records first..last (sample_record numbering) and closes.
inline void write_records(AuditLogOptions options, const SigningKey& key, int first, int last) {
  auto log = AuditLog::open(std::move(options), key);
  ASSERT_TRUE(log) << log.error().message;
  for (int i = first; i <= last; ++i) {
    auto seq = (*log)->append(sample_record(i));
    ASSERT_TRUE(seq) << seq.error().message;
  }
  auto closed = (*log)->close();
  ASSERT_TRUE(closed) << closed.error().message;
}

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

// The lines of a file, without newlines (a final newline is assumed).
inline std::vector<std::string> read_lines(const std::filesystem::path& path) {
  std::vector<std::string> lines;
  const std::string text = read_text(path);
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

inline void write_lines(const std::filesystem::path& path, const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& line : lines) text += line + "\n";
  write_text(path, text);
}

}  // namespace moat::core::audit::testing_support

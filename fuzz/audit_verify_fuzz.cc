// `moatctl audit verify` against tampered logs. A real AuditLog writes a log
// once per process: rotated files, checkpoints every few records, a state
// file, and records after the last checkpoint. Each input is a list of edits
// to that log (flip a byte, cut a file, drop, repeat or swap lines, insert a
// byte, put one file's content in another, remove a file), which this
// applies to a copy before verifying it. Properties:
// - verify never throws, and a problem always names its file and says why;
// - the untouched log verifies;
// - any change to the lines a checkpoint vouches for (all, in reading
//   order, up to the last checkpoint) is found. What follows the last
//   checkpoint may be cut or changed unseen: nothing signed covers it yet.
//
// Input: 4 bytes an edit: kind, file, position (little endian, 16 bits).
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/audit/audit_log.h"
#include "core/audit/audit_record.h"
#include "core/audit/log_files.h"
#include "core/audit/signing_key.h"
#include "core/audit/verify.h"
#include "support/temp_dir.h"

namespace {

namespace fs = std::filesystem;
using namespace moat::core::audit;

// Log files in the order they are read: audit.log.1, audit.log.2, ...,
// audit.log.
struct ReadingOrder {
  bool operator()(const std::string& a, const std::string& b) const {
    const auto index = [](const std::string& name) { return rotated_index(name).value_or(UINT64_MAX); };
    return index(a) != index(b) ? index(a) < index(b) : a < b;
  }
};
template <typename Content>
using LogFiles = std::map<std::string, Content, ReadingOrder>;

struct WrittenLog {
  fs::path scratch;  // removed at exit
  LogFiles<std::string> files;
  std::string stream;         // the files' contents in reading order
  std::size_t signed_bytes;   // how much of it checkpoints vouch for
  fs::path state_file;
  std::optional<VerifyKey> key;
};

std::string read_whole(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::size_t signed_prefix(const std::string& content) {
  std::size_t covered = 0;
  for (std::size_t start = 0; start < content.size();) {
    const std::size_t end = content.find('\n', start);
    if (end == std::string::npos) break;
    const auto entry = parse_line(std::string_view(content).substr(start, end - start));
    if (!entry) __builtin_trap();
    if (std::holds_alternative<Checkpoint>(*entry)) covered = end + 1;
    start = end + 1;
  }
  return covered;
}

// 23 records with a checkpoint every 5, rotating at 3 KB: four files, and
// records after the last checkpoint. The files are copied while the
// log is still open, before its closing checkpoint.
const WrittenLog& written_log() {
  static const WrittenLog log = [] {
    WrittenLog made;
    static const moat::testing_support::TempDir scratch("moat-audit-verify-fuzz");
    made.scratch = scratch.path();
    auto key = SigningKey::generate();
    if (!key) __builtin_trap();
    made.key = key->verify_key();
    AuditLogOptions options;
    options.directory = made.scratch / "log";
    options.max_file_bytes = 3000;
    options.checkpoint_every = 5;
    options.checkpoint_interval = std::chrono::milliseconds(0);
    options.fsync = FsyncPolicy::kNever;
    options.state_file = made.scratch / "checkpoint-state";
    auto writer = AuditLog::open(options, std::move(*key));
    if (!writer) __builtin_trap();
    for (std::uint32_t i = 0; i < 23; ++i) {
      Record r;
      r.caller = Caller{i % 2 == 0 ? 0U : 1000U, 100 + i, "/usr/bin/docker"};
      r.container = "c" + std::to_string(i % 3);
      r.request = "POST /v1.41/containers/create {\"Image\":\"busybox\",\"N\":" + std::to_string(i) + "}";
      r.rule = "runtime.create";
      r.outcome = i % 4 == 0 ? Outcome::kDeny : Outcome::kAllow;
      r.reason = i % 4 == 0 ? "refused by the fuzzer's log" : "";
      if (!(*writer)->append(std::move(r))) __builtin_trap();
    }
    for (const auto& entry : fs::directory_iterator(options.directory)) {
      made.files[entry.path().filename().string()] = read_whole(entry.path());
    }
    for (const auto& [name, content] : made.files) made.stream += content;
    made.signed_bytes = signed_prefix(made.stream);
    made.state_file = made.scratch / "state-copy";
    fs::copy_file(*options.state_file, made.state_file);
    if (made.files.size() < 3 || made.signed_bytes == made.stream.size()) {
      __builtin_trap();  // the log must have rotated files and an unsigned tail
    }
    return made;
  }();
  return log;
}

std::vector<std::pair<std::size_t, std::size_t>> lines_of(const std::string& content) {
  std::vector<std::pair<std::size_t, std::size_t>> lines;  // start, length with '\n'
  for (std::size_t start = 0; start < content.size();) {
    const std::size_t end = content.find('\n', start);
    const std::size_t stop = end == std::string::npos ? content.size() : end + 1;
    lines.emplace_back(start, stop - start);
    start = stop;
  }
  return lines;
}

void apply_edit(LogFiles<std::optional<std::string>>& files, std::uint8_t kind, std::uint8_t which,
                std::uint16_t position) {
  auto it = files.begin();
  std::advance(it, which % files.size());
  if (!it->second) return;  // removed
  std::string& content = *it->second;
  const auto lines = lines_of(content);
  switch (kind % 8) {
    case 0:  // flip a byte
      if (!content.empty()) content[position % content.size()] ^= static_cast<char>((position >> 8) | 1);
      break;
    case 1:  // cut
      content.resize(position % (content.size() + 1));
      break;
    case 2:  // drop a line
      if (!lines.empty()) {
        const auto [start, length] = lines[position % lines.size()];
        content.erase(start, length);
      }
      break;
    case 3:  // repeat a line
      if (!lines.empty()) {
        const auto [start, length] = lines[position % lines.size()];
        content.insert(start, content.substr(start, length));
      }
      break;
    case 4:  // swap a line with the next
      if (lines.size() >= 2) {
        const std::size_t k = position % (lines.size() - 1);
        const std::string first = content.substr(lines[k].first, lines[k].second);
        const std::string second = content.substr(lines[k + 1].first, lines[k + 1].second);
        content.replace(lines[k].first, first.size() + second.size(), second + first);
      }
      break;
    case 5:  // insert a byte
      content.insert(content.begin() + static_cast<std::ptrdiff_t>(position % (content.size() + 1)),
                     static_cast<char>(position >> 8));
      break;
    case 6: {  // another file's content
      auto other = files.begin();
      std::advance(other, position % files.size());
      if (other->second) content = *other->second;
      break;
    }
    case 7:
      it->second.reset();
      break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const WrittenLog& log = written_log();
  size = std::min<std::size_t>(size, 4 * 8);  // a few edits say all there is to say
  LogFiles<std::optional<std::string>> files(log.files.begin(), log.files.end());
  for (std::size_t at = 0; at + 4 <= size; at += 4) {
    apply_edit(files, data[at], data[at + 1], static_cast<std::uint16_t>(data[at + 2] | (data[at + 3] << 8)));
  }

  // What counts is the lines, not which file holds them: audit.log.3 put
  // in place of audit.log is the log cut back to a rotation's checkpoint.
  bool unchanged = true;
  std::string stream;
  for (const auto& [name, content] : files) {
    if (!content || *content != log.files.at(name)) unchanged = false;
    if (content) stream += *content;
  }
  const bool signed_bytes_changed =
      stream.size() < log.signed_bytes || stream.compare(0, log.signed_bytes, log.stream, 0, log.signed_bytes) != 0;

  const fs::path dir = log.scratch / "tampered";
  std::error_code ignored;
  fs::remove_all(dir, ignored);
  fs::create_directory(dir);
  ::chmod(dir.c_str(), 0700);
  for (const auto& [name, content] : files) {
    if (!content) continue;
    std::ofstream(dir / name, std::ios::binary) << *content;
  }
  VerifyOptions options;
  options.state_file = log.state_file;
  const auto report = verify(dir, *log.key, options);
  if (!report) __builtin_trap();  // every file here is readable
  if (report->first_problem) {
    if (report->first_problem->message.empty() || report->first_problem->file.empty()) __builtin_trap();
  }
  if (unchanged && !report->ok) __builtin_trap();
  if (signed_bytes_changed && report->ok) __builtin_trap();
  return 0;
}

#include "core/audit/verify.h"

#include <sys/stat.h>

#include <cerrno>

#include <functional>
#include <utility>
#include <vector>

#include "core/audit/audit_record.h"
#include "core/audit/checkpoint.h"
#include "core/audit/checkpoint_state.h"
#include "core/audit/hash_chain.h"
#include "core/audit/log_files.h"
#include "core/audit/staging_ring.h"

namespace moat::core::audit {
namespace {

std::string n(std::uint64_t value) { return std::to_string(value); }

// "record seq 5 is" / "records seq 5 to 7 are"
std::string missing_range(std::uint64_t from, std::uint64_t to) {
  return from == to ? "record seq " + n(from) + " is"
                    : "records seq " + n(from) + " to " + n(to) + " are";
}

// A line after the one being judged, used only to tell kinds of damage apart.
struct Peek {
  std::optional<Entry> entry;
  std::string hash;
};

// Where the last accepted line is.
struct Accepted {
  std::string file;
  std::size_t line = 0;
  std::uint64_t seq = 0;
  bool checkpoint = false;
};

struct LineContext {
  const std::string& file;
  std::size_t line;  // 1-based
  std::string_view bytes;
  bool first_in_file;
  std::function<std::optional<Peek>()> next;
  // Line number (in this file, after this line) of a record with the seq.
  std::function<std::optional<std::size_t>(std::uint64_t)> find_later;
};

class ChainWalker {
 public:
  ChainWalker(const VerifyKey& key, const std::optional<CheckpointState>& state)
      : key_(key), state_(state) {}

  std::optional<Problem> line(const LineContext& at) {
    const std::string hash = sha256_hex(at.bytes);
    auto parsed = parse_line(at.bytes);
    if (!parsed) {
      return Problem{
          at.file, at.line, last_record_seq_ + 1, ProblemKind::kMalformedLine,
          "line " + n(at.line) + " is not a valid audit entry: " + parsed.error().message};
    }
    const Entry& entry = *parsed;
    const bool checkpoint = is_checkpoint(entry);
    const std::uint64_t seq = seq_of(entry);
    if (checkpoint && !checkpoint_signature_ok(std::get<Checkpoint>(entry), key_)) {
      return Problem{at.file, at.line, seq, ProblemKind::kForgedCheckpoint,
                     "the checkpoint on line " + n(at.line) + " (seq " + n(seq) +
                         ") does not verify with the public key: it was forged, or altered "
                         "(for instance to cover a changed record)"};
    }
    const bool prev_ok = prev_of(entry) == expected_prev();
    const bool seq_ok = seq == expected_seq(checkpoint) &&
                        !(checkpoint && (last_was_checkpoint_ || last_record_seq_ == 0));
    if (prev_ok && seq_ok) return accept(at, entry, hash);
    return classify(at, entry, hash, prev_ok, seq_ok);
  }

  // After the last line of a rotated file.
  std::optional<Problem> end_of_rotated_file(const std::string& file, std::size_t lines) const {
    if (last_was_checkpoint_) return std::nullopt;
    return Problem{file, lines + 1, last_record_seq_ + 1, ProblemKind::kTruncatedTail,
                   file + " ends after seq " + n(last_record_seq_) +
                       " without a checkpoint, but rotation closes every file with one: its "
                       "tail was cut"};
  }

  // After the whole log, against the checkpoint state file.
  std::optional<Problem> end_of_log(const std::string& last_file,
                                    std::size_t last_file_lines) const {
    if (!state_) return std::nullopt;
    const Checkpoint& recorded = state_->checkpoint;
    if (recorded.seq > last_record_seq_) {
      return Problem{
          last_file, last_file_lines + 1, last_record_seq_ + 1, ProblemKind::kTruncatedTail,
          "the log ends at seq " + n(last_record_seq_) +
              ", but the state file holds a signed checkpoint for seq " + n(recorded.seq) + ": " +
              missing_range(last_record_seq_ + 1, recorded.seq) + " cut from the end"};
    }
    if (!state_matched_) {
      return Problem{last_file, last_file_lines + 1, recorded.seq, ProblemKind::kTruncatedTail,
                     "the log has no checkpoint for seq " + n(recorded.seq) +
                         " matching the state file: the checkpoint was removed, or the log was "
                         "cut and written again"};
    }
    return std::nullopt;
  }

  std::uint64_t records() const { return records_; }
  std::uint64_t checkpoints() const { return checkpoints_; }
  std::uint64_t last_record_seq() const { return last_record_seq_; }
  std::uint64_t records_since_checkpoint() const { return records_since_checkpoint_; }

 private:
  std::string expected_prev() const { return have_prev_ ? prev_hash_ : std::string(kGenesisPrev); }
  // A record continues the seq; a checkpoint repeats the seq of the record it covers.
  std::uint64_t expected_seq(bool checkpoint) const {
    return checkpoint ? last_record_seq_ : last_record_seq_ + 1;
  }
  // Would `peek` be a valid next line right after the last accepted one?
  bool fits_after_accepted(const std::optional<Peek>& peek) const {
    if (!peek || !peek->entry) return false;
    const bool checkpoint = is_checkpoint(*peek->entry);
    return prev_of(*peek->entry) == expected_prev() &&
           seq_of(*peek->entry) == expected_seq(checkpoint);
  }

  std::optional<Problem> accept(const LineContext& at, const Entry& entry,
                                const std::string& hash) {
    const std::uint64_t seq = seq_of(entry);
    if (const auto* checkpoint = std::get_if<Checkpoint>(&entry)) {
      if (checkpoint->head != checkpoint->prev) {
        return Problem{at.file, at.line, seq, ProblemKind::kForgedCheckpoint,
                       "the checkpoint on line " + n(at.line) + " (seq " + n(seq) +
                           ") names a head other than the line before it"};
      }
      if (checkpoint->count != records_since_checkpoint_) {
        const bool fewer = checkpoint->count > records_since_checkpoint_;
        return Problem{at.file, at.line, seq,
                       fewer ? ProblemKind::kRemovedRecord : ProblemKind::kInsertedRecord,
                       "the checkpoint on line " + n(at.line) + " (seq " + n(seq) + ") covers " +
                           n(checkpoint->count) + " records since the previous checkpoint, but " +
                           n(records_since_checkpoint_) + " are there"};
      }
      if (state_ && state_->checkpoint.seq == seq) {
        state_matched_ = hash == state_->line_hash;
        if (!state_matched_) {
          return Problem{at.file, at.line, seq, ProblemKind::kTruncatedTail,
                         "the checkpoint on line " + n(at.line) + " (seq " + n(seq) +
                             ") differs from the one in the state file: the log was cut and "
                             "written again"};
        }
      }
      ++checkpoints_;
      records_since_checkpoint_ = 0;
    } else {
      ++records_;
      ++records_since_checkpoint_;
      last_record_seq_ = seq;
    }
    last_was_checkpoint_ = is_checkpoint(entry);
    before_prev_hash_ = have_prev_ ? std::optional<std::string>(prev_hash_) : std::nullopt;
    prev_hash_ = hash;
    have_prev_ = true;
    accepted_ = Accepted{at.file, at.line, seq, is_checkpoint(entry)};
    return std::nullopt;
  }

  std::optional<Problem> classify(const LineContext& at, const Entry& entry,
                                  const std::string& hash, bool prev_ok, bool seq_ok) const {
    const std::uint64_t seq = seq_of(entry);
    const bool checkpoint = is_checkpoint(entry);
    const std::string here = "line " + n(at.line) + " (seq " + n(seq) + ")";
    const auto problem = [&](ProblemKind kind, std::string message) {
      return Problem{at.file, at.line, seq, kind, std::move(message)};
    };

    // This line chains to the line before the last accepted one, with the
    // same seq: that accepted line was slipped in between (a forger who
    // computed its prev correctly), or this line is a copy of it.
    if (have_prev_ && before_prev_hash_ && prev_of(entry) == *before_prev_hash_ &&
        seq == accepted_.seq && checkpoint == accepted_.checkpoint) {
      if (hash == prev_hash_) {
        return problem(ProblemKind::kInsertedRecord,
                       here + " was inserted: it repeats the line before it");
      }
      return Problem{accepted_.file, accepted_.line, accepted_.seq, ProblemKind::kInsertedRecord,
                     "line " + n(accepted_.line) + " (seq " + n(accepted_.seq) +
                         ") was inserted: the next line has the same seq and chains to the line "
                         "before it"};
    }

    if (!prev_ok && seq_ok) {
      if (!have_prev_) {
        return problem(ProblemKind::kChangedRecord,
                       here + " was changed: the first line of a log carries the zero prev");
      }
      const auto next = at.next();
      if (!next || (next->entry && prev_of(*next->entry) == hash)) {
        return Problem{accepted_.file, accepted_.line, accepted_.seq, ProblemKind::kChangedRecord,
                       "line " + n(accepted_.line) + " (seq " + n(accepted_.seq) +
                           ") was changed: its hash no longer matches the prev stored in the "
                           "next line (seq " +
                           n(seq) + ")"};
      }
      return problem(ProblemKind::kChangedRecord,
                     here +
                         " was changed: its prev does not match the line before it, and the "
                         "line after it does not chain to it");
    }

    if (prev_ok && !seq_ok) {
      if (checkpoint && last_was_checkpoint_ && seq == last_record_seq_) {
        return problem(ProblemKind::kInsertedRecord,
                       here + " was inserted: it is a second checkpoint right after another");
      }
      if (fits_after_accepted(at.next())) {
        return problem(ProblemKind::kInsertedRecord,
                       here + " was inserted: the next line chains to the line before it");
      }
      return problem(ProblemKind::kChangedRecord,
                     here +
                         " was changed: it chains to the line before it, but its seq should "
                         "be " +
                         n(expected_seq(checkpoint)));
    }

    // Neither prev nor seq fit.
    if (seq < expected_seq(checkpoint)) {
      return problem(ProblemKind::kInsertedRecord,
                     here + " was inserted: the log is already at seq " + n(last_record_seq_));
    }
    const std::uint64_t wanted = last_record_seq_ + 1;
    const auto next = at.next();
    if (fits_after_accepted(next)) {
      if (prev_of(entry) == next->hash) {
        return problem(ProblemKind::kReorderedRecords,
                       "lines " + n(at.line) + " and " + n(at.line + 1) + " are swapped: line " +
                           n(at.line) + " has seq " + n(seq) + ", line " + n(at.line + 1) +
                           " has seq " + n(wanted));
      }
      return problem(ProblemKind::kInsertedRecord,
                     here + " was inserted: the next line chains to the line before it");
    }
    if (const auto later = at.find_later(wanted)) {
      return problem(ProblemKind::kReorderedRecords,
                     "records are out of order: line " + n(at.line) + " has seq " + n(seq) +
                         " where seq " + n(wanted) + " was expected; seq " + n(wanted) +
                         " is on line " + n(*later));
    }
    const std::uint64_t last_missing = checkpoint ? seq : seq - 1;
    const std::string range = missing_range(wanted, last_missing);
    if (!have_prev_) {
      return Problem{at.file, at.line, wanted, ProblemKind::kMissingFile,
                     range + " missing at the start of the log (" + at.file + " begins with seq " +
                         n(seq) + "): the oldest file or its first records were removed"};
    }
    if (at.first_in_file && accepted_.file != at.file) {
      return Problem{at.file, at.line, wanted, ProblemKind::kMissingFile,
                     range + " missing between " + accepted_.file + " and " + at.file +
                         ": a rotated file or the first records of " + at.file + " were removed"};
    }
    if (checkpoint && !next) {  // the last line of the log
      return Problem{at.file, at.line, wanted, ProblemKind::kTruncatedTail,
                     range + " missing before the log's last checkpoint (line " + n(at.line) +
                         ", seq " + n(seq) + "): the tail was cut and the checkpoint put back"};
    }
    return Problem{at.file, at.line, wanted, ProblemKind::kRemovedRecord,
                   range + " missing: " + here + " follows seq " + n(last_record_seq_)};
  }

  const VerifyKey& key_;
  const std::optional<CheckpointState>& state_;
  bool have_prev_ = false;
  std::string prev_hash_;
  std::optional<std::string> before_prev_hash_;
  Accepted accepted_;
  std::uint64_t last_record_seq_ = 0;
  bool last_was_checkpoint_ = false;
  std::uint64_t records_since_checkpoint_ = 0;
  std::uint64_t records_ = 0;
  std::uint64_t checkpoints_ = 0;
  bool state_matched_ = false;
};

std::optional<Problem> missing_rotated_files(const std::vector<LogFile>& files, std::size_t k,
                                             std::uint64_t expected_index, std::uint64_t next_seq) {
  const LogFile& file = files[k];
  if (file.index == 0 || file.index == expected_index) return std::nullopt;
  const std::string missing =
      file.index - expected_index == 1
          ? rotated_name(expected_index) + " is missing"
          : rotated_name(expected_index) + " to " + rotated_name(file.index - 1) + " are missing";
  const std::string context =
      k == 0 ? "the oldest file present is " + file.name()
             : "the rotated files jump from " + files[k - 1].name() + " to " + file.name();
  return Problem{rotated_name(expected_index), 0, next_seq, ProblemKind::kMissingFile,
                 missing + ": " + context};
}

}  // namespace

std::string_view to_string(ProblemKind kind) {
  switch (kind) {
    case ProblemKind::kMalformedLine:
      return "malformed line";
    case ProblemKind::kChangedRecord:
      return "changed record";
    case ProblemKind::kRemovedRecord:
      return "removed record";
    case ProblemKind::kInsertedRecord:
      return "inserted record";
    case ProblemKind::kReorderedRecords:
      return "reordered records";
    case ProblemKind::kTruncatedTail:
      return "truncated tail";
    case ProblemKind::kForgedCheckpoint:
      return "forged checkpoint";
    case ProblemKind::kMissingFile:
      return "missing file";
  }
  return "unknown";
}

namespace {

// audit.log is looked at before the staging file: a running writer only
// ever writes lines it staged before, so the log cannot seem to hold more
// than was staged for it.
void look_at_staging(const std::filesystem::path& dir, VerifyReport& report) {
  const std::filesystem::path ring = dir / kStagingFileName;
  struct stat info {};
  std::optional<CurrentLogFile> current;
  if (::lstat((dir / kCurrentFileName).c_str(), &info) == 0) {
    current = file_as_stat_says(info);
  }
  if (::lstat(ring.c_str(), &info) != 0 && errno == ENOENT) return;
  auto bytes = read_file(ring, 1ULL << 30);
  if (!bytes) {
    report.staging_problem = bytes.error().message;
    return;
  }
  auto missing = missing_bytes(*bytes, current, ring);
  if (!missing) {
    report.staging_problem = missing.error().message;
    return;
  }
  report.staged_bytes = missing->size();
}

}  // namespace

Result<VerifyReport, AuditError> verify(const std::filesystem::path& dir, const VerifyKey& key,
                                        const VerifyOptions& options) {
  auto listed = list_log_files(dir);
  if (!listed) return moat::unexpected(std::move(listed).error());
  const std::vector<LogFile>& files = *listed;

  VerifyReport report;
  report.files = files.size();
  look_at_staging(dir, report);
  const auto finish = [&](const ChainWalker& walker, std::optional<Problem> problem) {
    report.records = walker.records();
    report.checkpoints = walker.checkpoints();
    report.last_seq = walker.last_record_seq();
    report.unsigned_records = walker.records_since_checkpoint();
    report.ok = !problem.has_value();
    report.first_problem = std::move(problem);
    return report;
  };

  std::optional<CheckpointState> state;
  std::string state_name;
  std::optional<Problem> state_problem;
  if (options.state_file) {
    state_name = options.state_file->string();
    auto read = read_checkpoint_state(*options.state_file);
    if (read && *read && !checkpoint_signature_ok((*read)->checkpoint, key)) {
      // Not trusted for anything, so it must not judge the log either.
      state_problem =
          Problem{state_name, 1, (*read)->checkpoint.seq, ProblemKind::kForgedCheckpoint,
                  "the checkpoint in the state file (seq " + n((*read)->checkpoint.seq) +
                      ") does not verify with the public key: it was forged or "
                      "altered"};
    } else if (read) {
      state = std::move(*read);
    } else if (read.error().code == AuditErrc::kMalformedLine) {
      state_problem = Problem{state_name, 1, 0, ProblemKind::kMalformedLine, read.error().message};
    } else {
      return moat::unexpected(std::move(read).error());
    }
  }
  ChainWalker walker(key, state);

  // Files are read one ahead so the last line of one file can be judged by
  // the first line of the next.
  std::vector<std::optional<std::string>> contents(files.size());
  std::vector<Lines> split(files.size());
  const auto load = [&](std::size_t k) -> Result<void, AuditError> {
    if (contents[k]) return {};
    auto read = read_file(files[k].path, options.max_file_bytes);
    if (!read) return moat::unexpected(std::move(read).error());
    contents[k] = std::move(*read);
    split[k] = split_lines(*contents[k]);
    return {};
  };
  std::optional<AuditError> load_error;
  const auto peek_after = [&](std::size_t k, std::size_t i) -> std::optional<Peek> {
    std::size_t file = k;
    std::size_t index = i + 1;
    while (file < files.size()) {
      if (auto loaded = load(file); !loaded) {
        load_error = loaded.error();
        return std::nullopt;
      }
      if (index < split[file].lines.size()) {
        const std::string_view bytes = split[file].lines[index];
        auto entry = parse_line(bytes);
        return Peek{entry ? std::optional<Entry>(std::move(*entry)) : std::nullopt,
                    sha256_hex(bytes)};
      }
      ++file;
      index = 0;
    }
    return std::nullopt;
  };
  std::uint64_t expected_index = 1;
  std::size_t lines_in_last_file = 0;
  std::string last_file_name(kCurrentFileName);
  for (std::size_t k = 0; k < files.size(); ++k) {
    const LogFile& file = files[k];
    if (auto missing =
            missing_rotated_files(files, k, expected_index, walker.last_record_seq() + 1)) {
      return finish(walker, std::move(missing));
    }
    if (file.index != 0) expected_index = file.index + 1;
    if (auto loaded = load(k); !loaded) return moat::unexpected(loaded.error());
    const std::string name = file.name();
    const Lines& lines = split[k];
    if (lines.lines.empty() && file.index != 0) {
      return finish(walker,
                    Problem{name, 1, walker.last_record_seq() + 1, ProblemKind::kTruncatedTail,
                            name + " is empty, but rotation closes every file with a "
                                   "checkpoint: its content was removed"});
    }
    for (std::size_t i = 0; i < lines.lines.size(); ++i) {
      const bool last_line_of_file = i + 1 == lines.lines.size();
      if (last_line_of_file && !lines.ends_with_newline) {
        return finish(
            walker, Problem{name, i + 1, walker.last_record_seq() + 1, ProblemKind::kMalformedLine,
                            "line " + n(i + 1) +
                                " has no newline at the end: a write was cut short (crash or "
                                "full disk) or the file was truncated"});
      }
      const LineContext at{
          name,
          i + 1,
          lines.lines[i],
          i == 0,
          [&, k, i] { return peek_after(k, i); },
          [&, i](std::uint64_t seq) -> std::optional<std::size_t> {
            for (std::size_t j = i + 1; j < lines.lines.size(); ++j) {
              auto entry = parse_line(lines.lines[j]);
              if (entry && !is_checkpoint(*entry) && seq_of(*entry) == seq) return j + 1;
            }
            return std::nullopt;
          },
      };
      auto problem = walker.line(at);
      if (load_error) return moat::unexpected(*load_error);
      if (problem) return finish(walker, std::move(problem));
    }
    if (file.index != 0) {
      if (auto problem = walker.end_of_rotated_file(name, lines.lines.size())) {
        return finish(walker, std::move(problem));
      }
    }
    lines_in_last_file = lines.lines.size();
    last_file_name = name;
    // Keep memory to the file being checked and the one after it.
    contents[k].reset();
    split[k] = Lines{};
  }
  if (state_problem) return finish(walker, std::move(state_problem));
  return finish(walker, walker.end_of_log(last_file_name, lines_in_last_file));
}

}  // namespace moat::core::audit

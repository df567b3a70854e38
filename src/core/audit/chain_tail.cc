#include "core/audit/chain_tail.h"

#include <algorithm>
#include <vector>

#include "core/audit/checkpoint.h"
#include "core/audit/log_files.h"

namespace moat::core::audit {
namespace {

constexpr std::uint64_t kFirstWindow = 64 * 1024;

struct ParsedLine {
  std::string_view bytes;
  Entry entry;
  std::uint64_t offset = 0;  // in the file
};

Unexpected<AuditError> damaged(const std::filesystem::path& dir, const std::string& where,
                               const std::string& problem) {
  return audit_fail(AuditErrc::kTailDoesNotVerify,
                    "cannot continue the audit log in " + dir.string() + ": " + where + ": " +
                        problem +
                        "; run verify to locate the damage, then move the directory aside to "
                        "start a new log");
}

std::string at(const LogFile& file, std::uint64_t offset) {
  return file.name() + " at byte " + std::to_string(offset);
}

// Complete lines of the window, parsed; the first line is dropped when the
// window starts inside the file (it may be cut).
Result<std::vector<ParsedLine>, AuditError> parse_window(const std::filesystem::path& dir,
                                                         const LogFile& file,
                                                         const FileTail& tail) {
  std::string_view text = tail.bytes;
  std::uint64_t offset = tail.offset;
  if (tail.offset > 0) {
    const auto newline = text.find('\n');
    text.remove_prefix(newline + 1);  // the caller made sure a newline ends the window
    offset += newline + 1;
  }
  std::vector<ParsedLine> parsed;
  for (const auto line : split_lines(text).lines) {
    auto entry = parse_line(line);
    if (!entry) return damaged(dir, at(file, offset), entry.error().message);
    parsed.push_back(ParsedLine{line, std::move(*entry), offset});
    offset += line.size() + 1;
  }
  return parsed;
}

}  // namespace

Result<ChainTail, AuditError> read_chain_tail(const std::filesystem::path& dir,
                                              const VerifyKey& key) {
  auto files = list_log_files(dir);
  if (!files) return moat::unexpected(std::move(files).error());
  ChainTail tail;
  for (const auto& file : *files) {
    tail.next_rotation_index = std::max(tail.next_rotation_index, file.index + 1);
    if (file.index == 0) tail.current_exists = true;
  }

  // The newest file with content; only audit.log may be empty (just rotated).
  std::optional<FileTail> window;
  std::size_t chosen = files->size();
  while (chosen > 0) {
    const LogFile& candidate = (*files)[chosen - 1];
    auto read = read_file_tail(candidate.path, kFirstWindow);
    if (!read) return moat::unexpected(std::move(read).error());
    if (read->size > 0) {
      window = std::move(*read);
      break;
    }
    if (candidate.index != 0) {
      return damaged(dir, candidate.name(),
                     "a rotated file is empty, but rotation always closes "
                     "a file with a checkpoint");
    }
    --chosen;
  }
  if (!window) return tail;  // nothing written yet
  const LogFile& file = (*files)[chosen - 1];

  if (!window->bytes.ends_with('\n')) {
    return damaged(dir, at(file, window->size),
                   "the last line is incomplete (a write was cut short by a crash or a full "
                   "disk)");
  }
  // Grow the window until it holds a checkpoint or the whole file.
  std::vector<ParsedLine> lines;
  for (std::uint64_t size = kFirstWindow;; size *= 4) {
    const bool one_cut_line =
        window->offset > 0 && window->bytes.find('\n') + 1 == window->bytes.size();
    if (!one_cut_line) {
      auto parsed = parse_window(dir, file, *window);
      if (!parsed) return moat::unexpected(std::move(parsed).error());
      lines = std::move(*parsed);
      const bool has_checkpoint = std::any_of(
          lines.begin(), lines.end(), [](const ParsedLine& l) { return is_checkpoint(l.entry); });
      if (has_checkpoint || window->offset == 0) break;
    }
    auto read = read_file_tail(file.path, size * 4);
    if (!read) return moat::unexpected(std::move(read).error());
    window = std::move(*read);
  }

  // Where the chain enters the window. Unknown (nullopt) when the window
  // starts inside the file: the first line's prev and seq are taken on trust
  // there, and the checkpoint further on vouches for them.
  std::optional<std::string> last_hash;
  std::optional<std::uint64_t> last_record_seq;
  std::optional<std::uint64_t> since;
  bool previous_was_checkpoint = false;
  if (window->offset == 0) {
    last_hash = std::string(kGenesisPrev);
    last_record_seq = 0;
    since = 0;
    if (chosen >= 2) {
      // The file continues the previous one, which rotation closed with a
      // checkpoint.
      const LogFile& previous = (*files)[chosen - 2];
      auto before = read_file_tail(previous.path, kMaxLineBytes + 1);
      if (!before) return moat::unexpected(std::move(before).error());
      const auto split = split_lines(before->bytes);
      if (split.lines.empty() || !split.ends_with_newline) {
        return damaged(dir, previous.name(), "does not end with a complete line");
      }
      auto entry = parse_line(split.lines.back());
      if (!entry || !is_checkpoint(*entry)) {
        return damaged(dir, previous.name(), "does not end with a checkpoint");
      }
      const auto& checkpoint = std::get<Checkpoint>(*entry);
      if (!checkpoint_signature_ok(checkpoint, key)) {
        return damaged(dir, previous.name(),
                       "its closing checkpoint does not verify with this key (it was forged, or "
                       "another key signed it)");
      }
      last_record_seq = checkpoint.seq;
      last_hash = sha256_hex(split.lines.back());
      tail.last_checkpoint = checkpoint;
      tail.last_checkpoint_hash = *last_hash;
      previous_was_checkpoint = true;
    }
  }

  for (const ParsedLine& line : lines) {
    const std::string where = at(file, line.offset);
    if (last_hash && prev_of(line.entry) != *last_hash) {
      return damaged(dir, where, "prev does not match the hash of the line before it");
    }
    const std::uint64_t seq = seq_of(line.entry);
    if (const auto* checkpoint = std::get_if<Checkpoint>(&line.entry)) {
      if (!checkpoint_signature_ok(*checkpoint, key)) {
        return damaged(dir, where,
                       "the checkpoint for seq " + std::to_string(seq) +
                           " does not verify with this key (it was forged, or another key "
                           "signed it)");
      }
      if (previous_was_checkpoint || (last_record_seq && seq != *last_record_seq) ||
          checkpoint->head != checkpoint->prev || (since && checkpoint->count != *since)) {
        return damaged(dir, where,
                       "the checkpoint does not match the records before it (seq " +
                           std::to_string(seq) + ", count " + std::to_string(checkpoint->count) +
                           ")");
      }
      since = 0;
      previous_was_checkpoint = true;
      tail.last_checkpoint = *checkpoint;
      tail.last_checkpoint_hash = sha256_hex(line.bytes);
    } else {
      if (last_record_seq && seq != *last_record_seq + 1) {
        return damaged(
            dir, where,
            "seq " + std::to_string(seq) + " follows seq " + std::to_string(*last_record_seq));
      }
      if (since) ++*since;
      previous_was_checkpoint = false;
    }
    last_record_seq = seq;
    last_hash = sha256_hex(line.bytes);
  }
  // The loop above saw a checkpoint or started at the beginning of the file.
  if (!since || !last_hash || !last_record_seq) {
    return damaged(dir, file.name(), "no checkpoint found to continue from");
  }
  if (file.index != 0 && *since > 0) {
    return damaged(dir, file.name(), "a rotated file does not end with a checkpoint");
  }
  tail.last_seq = *last_record_seq;
  tail.last_hash = *last_hash;
  tail.records_since_checkpoint = *since;
  return tail;
}

}  // namespace moat::core::audit

#include "core/audit/audit_record.h"

#include <limits>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace moat::core::audit {
namespace {

const std::string kPrev(64, 'a');

Record full_record() {
  Record record;
  record.seq = 7;
  record.time = parse_time("2026-08-01T10:00:00.123Z").value();
  record.component = Component::kMoatd;
  record.caller = Caller{1000, 4242, "/usr/bin/docker"};
  record.container = "web";
  record.request = "POST /containers/create";
  record.rule = "no-privileged";
  record.outcome = Outcome::kDeny;
  record.reason = "privileged containers are not allowed";
  record.prev = kPrev;
  return record;
}

const std::string kFullLine =
    "{\"caller\":{\"exe\":\"/usr/bin/docker\",\"pid\":4242,\"uid\":1000},\"component\":\"moatd\","
    "\"container\":\"web\",\"outcome\":\"deny\",\"prev\":\"" +
    kPrev +
    "\",\"reason\":\"privileged containers are not allowed\",\"request\":\"POST "
    "/containers/create\",\"rule\":\"no-privileged\",\"seq\":7,\"time\":\"2026-08-01T10:00:00."
    "123Z\",\"type\":\"record\"}";

std::string parse_error(const std::string& line) {
  const auto parsed = parse_line(line);
  if (parsed) return "(parsed)";
  EXPECT_EQ(parsed.error().code, AuditErrc::kMalformedLine);
  return parsed.error().message;
}

// kFullLine with one substring replaced.
std::string full_line_with(const std::string& from, const std::string& to) {
  std::string line = kFullLine;
  const auto at = line.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return line.replace(at, from.size(), to);
}

TEST(AuditRecord, SerialisesWithSortedKeysAndNoSpaces) {
  EXPECT_EQ(to_line(full_record()), kFullLine);
}

TEST(AuditRecord, LeavesOutAbsentCallerAndContainer) {
  Record record = full_record();
  record.caller.reset();
  record.container.reset();
  record.component = Component::kMoatRunc;
  record.outcome = Outcome::kError;
  EXPECT_EQ(to_line(record),
            "{\"component\":\"moat-runc\",\"outcome\":\"error\",\"prev\":\"" + kPrev +
                "\",\"reason\":\"privileged containers are not allowed\",\"request\":\"POST "
                "/containers/create\",\"rule\":\"no-privileged\",\"seq\":7,\"time\":\"2026-08-"
                "01T10:00:00.123Z\",\"type\":\"record\"}");
}

TEST(AuditRecord, ParsesBackToTheSameRecord) {
  const auto parsed = parse_line(kFullLine);
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_TRUE(std::holds_alternative<Record>(*parsed));
  EXPECT_EQ(std::get<Record>(*parsed), full_record());
  EXPECT_EQ(seq_of(*parsed), 7U);
  EXPECT_EQ(prev_of(*parsed), kPrev);
  EXPECT_FALSE(is_checkpoint(*parsed));
}

TEST(AuditRecord, CheckpointRoundTrips) {
  Checkpoint checkpoint;
  checkpoint.seq = 12;
  checkpoint.time = parse_time("2026-08-01T10:00:01.000Z").value();
  checkpoint.prev = std::string(64, 'b');
  checkpoint.head = std::string(64, 'b');
  checkpoint.count = 5;
  checkpoint.sig = std::string(86, 'A') + "==";
  const std::string line = to_line(checkpoint);
  EXPECT_EQ(line, "{\"count\":5,\"head\":\"" + std::string(64, 'b') + "\",\"prev\":\"" +
                      std::string(64, 'b') + "\",\"seq\":12,\"sig\":\"" + std::string(86, 'A') +
                      "==\",\"time\":\"2026-08-01T10:00:01.000Z\",\"type\":\"checkpoint\"}");
  const auto parsed = parse_line(line);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(std::get<Checkpoint>(*parsed), checkpoint);
}

TEST(AuditRecord, EscapesControlCharactersSoARecordStaysOneLine) {
  Record record = full_record();
  record.reason = "line one\nline two\t\"quoted\"";
  const std::string line = to_line(record);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_NE(line.find("line one\\nline two\\t\\\"quoted\\\""), std::string::npos);
  const auto parsed = parse_line(line);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(std::get<Record>(*parsed).reason, record.reason);
}

// The line is written by hand (core/json/json_string); it must be exactly
// what nlohmann's dump writes for the same object, escapes included.
TEST(AuditRecord, WritesTheSameBytesAsTheJsonLibrary) {
  Record record = full_record();
  for (int byte = 0; byte < 0x80; ++byte) record.request.push_back(static_cast<char>(byte));
  record.request += "\u00e9\u20ac\U0001F600";
  record.reason = "said \"no\"\n\tbecause\\";
  const nlohmann::json object = {
      {"caller", {{"exe", record.caller->exe}, {"pid", record.caller->pid}, {"uid", record.caller->uid}}},
      {"component", "moatd"},
      {"container", *record.container},
      {"outcome", "deny"},
      {"prev", record.prev},
      {"reason", record.reason},
      {"request", record.request},
      {"rule", record.rule},
      {"seq", record.seq},
      {"time", "2026-08-01T10:00:00.123Z"},
      {"type", "record"}};
  EXPECT_EQ(to_line(record), object.dump());
}

// The log writes a batch's lines into one buffer with append_line; what it
// adds must be to_line's bytes whatever the buffer held, on the hand-written
// path (largest numbers, no caller or container) and on nlohmann's (bad UTF-8).
TEST(AuditRecord, AppendLineAddsExactlyTheLineAfterWhatTheBufferHolds) {
  Record largest = full_record();
  largest.seq = std::numeric_limits<std::uint64_t>::max();
  largest.caller = Caller{std::numeric_limits<std::uint32_t>::max(), std::numeric_limits<std::uint32_t>::max(), "/x"};
  Record bare = full_record();
  bare.caller.reset();
  bare.container.reset();
  Record hostile = full_record();
  hostile.reason = "bad \xc3(";
  // Found only after most of the line is written, or in the caller kept for
  // the next line: the partial line must go, and the next caller be its own.
  Record hostile_rule = full_record();
  hostile_rule.rule = "rule \xff";
  Record hostile_caller = full_record();
  hostile_caller.caller->exe = "/usr/bin/\xfe";
  for (const Record& record : {full_record(), largest, bare, hostile, hostile_rule, hostile_caller, full_record()}) {
    std::string buffer = kFullLine + "\n";
    append_line(buffer, record);
    EXPECT_EQ(buffer, kFullLine + "\n" + to_line(record));
    EXPECT_TRUE(nlohmann::json::accept(to_line(record))) << to_line(record);
  }
  std::string line;
  append_line(line, largest);
  EXPECT_NE(line.find("\"pid\":4294967295,\"uid\":4294967295}"), std::string::npos) << line;
  EXPECT_NE(line.find("\"seq\":18446744073709551615,"), std::string::npos) << line;
  EXPECT_EQ(line, to_line(std::get<Record>(parse_line(line).value())));
  EXPECT_EQ(to_line(bare), full_line_with(
                               "{\"caller\":{\"exe\":\"/usr/bin/docker\",\"pid\":4242,\"uid\":1000},\"component\":\"moatd\","
                               "\"container\":\"web\",",
                               "{\"component\":\"moatd\","));
}

// The log passes each line's prev apart from its record: the line must be
// the record's with that prev, on both paths.
TEST(AuditRecord, AppendLineWithAPrevWritesThatPrevInsteadOfTheRecords) {
  const std::string prev(64, 'e');
  Record hostile = full_record();
  hostile.reason = "bad \xc3(";
  for (const Record& record : {full_record(), hostile}) {
    Record expected = record;
    expected.prev = prev;
    std::string buffer = kFullLine + "\n";
    append_line(buffer, record, prev);
    EXPECT_EQ(buffer, kFullLine + "\n" + to_line(expected));
  }
}

// The caller's text is kept for the last caller written: each line must
// still name its own caller when callers alternate or differ in one field.
TEST(AuditRecord, EachLineNamesItsOwnCallerWhateverCameBefore) {
  const std::vector<Caller> callers = {{1000, 4242, "/usr/bin/docker"}, {1000, 4243, "/usr/bin/docker"},
                                       {1001, 4243, "/usr/bin/docker"}, {1001, 4243, "/usr/bin/dockerd"},
                                       {1000, 4242, "/usr/bin/docker"}, {0, 1, "/a \"quoted\" path"}};
  for (const auto& caller : callers) {
    Record record = full_record();
    record.caller = caller;
    const nlohmann::json expected = {{"exe", caller.exe}, {"pid", caller.pid}, {"uid", caller.uid}};
    const std::string line = to_line(record);
    EXPECT_EQ(nlohmann::json::parse(line).at("caller"), expected) << line;
    EXPECT_EQ(line, full_line_with("{\"exe\":\"/usr/bin/docker\",\"pid\":4242,\"uid\":1000}", expected.dump()));
  }
}

TEST(AuditRecord, ReplacesInvalidUtf8SoHostileBytesAreStillRecorded) {
  Record record = full_record();
  record.request = "GET /images/\xff\xfe/json";
  const std::string line = to_line(record);
  const auto parsed = parse_line(line);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(std::get<Record>(*parsed).request, "GET /images/\xEF\xBF\xBD\xEF\xBF\xBD/json");
}

TEST(AuditRecord, RefusesUnknownAndMissingFields) {
  EXPECT_EQ(parse_error(full_line_with("\"component\"", "\"extra\":1,\"component\"")),
            "unknown field \"extra\"");
  EXPECT_EQ(parse_error(full_line_with("\"rule\":\"no-privileged\",", "")),
            "missing field \"rule\"");
  EXPECT_EQ(parse_error(full_line_with("\"uid\":1000", "\"uid\":1000,\"gid\":0")),
            "in \"caller\": unknown field \"gid\"");
  EXPECT_EQ(parse_error("{\"seq\":1}"), "missing field \"type\"");
  EXPECT_EQ(parse_error(full_line_with("\"type\":\"record\"", "\"type\":\"note\"")),
            "field \"type\" must be \"record\" or \"checkpoint\"");
}

TEST(AuditRecord, RefusesWrongTypesAndRanges) {
  EXPECT_EQ(parse_error(full_line_with("\"seq\":7", "\"seq\":0")),
            "field \"seq\" is out of range (1..18446744073709551615)");
  EXPECT_EQ(parse_error(full_line_with("\"seq\":7", "\"seq\":-7")),
            "field \"seq\" must be an unsigned integer");
  EXPECT_EQ(parse_error(full_line_with("\"seq\":7", "\"seq\":7.0")),
            "field \"seq\" must be an unsigned integer");
  EXPECT_EQ(parse_error(full_line_with("\"seq\":7", "\"seq\":\"7\"")),
            "field \"seq\" must be an unsigned integer");
  EXPECT_EQ(parse_error(full_line_with("\"uid\":1000", "\"uid\":4294967296")),
            "in \"caller\": field \"uid\" is out of range (0..4294967295)");
  EXPECT_EQ(parse_error(full_line_with("\"outcome\":\"deny\"", "\"outcome\":\"maybe\"")),
            "field \"outcome\" must be \"allow\", \"deny\" or \"error\"");
  EXPECT_EQ(parse_error(full_line_with("\"component\":\"moatd\"", "\"component\":\"dockerd\"")),
            "field \"component\" must be \"moatd\", \"moat-runc\" or \"moatctl\"");
  EXPECT_EQ(parse_error(full_line_with(kPrev, std::string(64, 'A'))),
            "field \"prev\" must be 64 lower-case hex digits");
  EXPECT_EQ(parse_error(full_line_with("\"container\":\"web\"", "\"container\":null")),
            "field \"container\" must be a string");
  EXPECT_EQ(parse_error(full_line_with("10:00:00.123Z", "10:00:00Z")),
            "time \"2026-08-01T10:00:00Z\" is not RFC 3339 UTC with milliseconds "
            "(YYYY-MM-DDTHH:MM:SS.mmmZ)");
}

TEST(AuditRecord, RefusesABadSignatureEncoding) {
  Checkpoint checkpoint;
  checkpoint.seq = 1;
  checkpoint.prev = checkpoint.head = std::string(64, 'c');
  checkpoint.count = 1;
  checkpoint.sig = "c2ln";  // base64 of "sig": three bytes, not 64
  EXPECT_EQ(parse_error(to_line(checkpoint)),
            "field \"sig\" must be the canonical base64 of a 64-byte signature");
  checkpoint.count = 0;
  checkpoint.sig = std::string(86, 'A') + "==";
  EXPECT_EQ(parse_error(to_line(checkpoint)),
            "field \"count\" is out of range (1..18446744073709551615)");
}

TEST(AuditRecord, RefusesNonCanonicalSpellingsOfValidContent) {
  const std::string expected =
      "not in canonical form (the writer's exact bytes: sorted keys, no spaces, minimal escapes)";
  EXPECT_EQ(parse_error(full_line_with("\"seq\":7", "\"seq\": 7")), expected);
  EXPECT_EQ(
      parse_error(full_line_with("\"rule\":\"no-privileged\"", "\"rule\":\"no\\u002dprivileged\"")),
      expected);
  EXPECT_EQ(parse_error(full_line_with("{\"caller\"", " {\"caller\"")), expected);
  // Keys out of order: move "type" to the front.
  std::string reordered = full_line_with(",\"type\":\"record\"}", "}");
  reordered.insert(1, "\"type\":\"record\",");
  EXPECT_EQ(parse_error(reordered), expected);
}

TEST(AuditRecord, RefusesWhatStrictJsonRefuses) {
  EXPECT_EQ(parse_error(full_line_with("\"rule\":\"no-privileged\"",
                                       "\"rule\":\"no-privileged\",\"rule\":\"x\"")),
            "not valid JSON: duplicate key \"rule\" (column 296)");
  EXPECT_EQ(parse_error("[1]"), "not a JSON object");
  EXPECT_EQ(parse_error(full_line_with("{\"exe\"", "{\"x\":{\"exe\"")),
            "not valid JSON: nesting deeper than 2 levels (column 16)");
  EXPECT_NE(parse_error("").find("not valid JSON: "), std::string::npos);
  EXPECT_NE(parse_error(kFullLine + "x").find("not valid JSON: "), std::string::npos);
  EXPECT_EQ(parse_error(std::string(kMaxLineBytes + 1, ' ')).substr(0, 16), "not valid JSON: ");
}

}  // namespace
}  // namespace moat::core::audit

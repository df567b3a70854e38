// The record `moatctl up` leaves in state/stack.json: what it writes reads
// back the same, and anything else is refused with the field named, so
// `down` and `status` never act on a pid or port they misread.
#include "cli/stack_record.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "core/stack/layout.h"
#include "support/temp_dir.h"

namespace moat::cli {
namespace {

StackRecord full_record() {
  StackRecord r;
  r.dockerd = 4242;
  r.moatd = 4243;
  r.dockerd_started = 987654;
  r.moatd_started = 987700;
  r.admin_settings = "/etc/moat/admin-settings.json";
  r.started_at = "2026-12-05T05:30:00Z";
  r.runtime = "moat-runc";
  r.eci_active = true;
  r.eci_note = "";
  r.egress_port = 40123;
  return r;
}

std::string error_of(std::string_view text) {
  const auto parsed = parse_stack_record(text);
  EXPECT_FALSE(parsed) << text;
  return parsed ? std::string() : parsed.error().message;
}

TEST(StackRecord, WhatIsWrittenReadsBackTheSame) {
  const auto parsed = parse_stack_record(serialize_stack_record(full_record()));
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(*parsed, full_record());
}

// Records written before the start times were kept have none: 0, which
// makes `down` check the program alone.
TEST(StackRecord, AFieldLeftOutKeepsItsDefault) {
  const auto parsed = parse_stack_record(R"({"dockerd": 10, "moatd": 11, "egressPort": 5000})");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->dockerd, 10);
  EXPECT_EQ(parsed->moatd, 11);
  EXPECT_EQ(parsed->dockerd_started, 0u);
  EXPECT_EQ(parsed->moatd_started, 0u);
  EXPECT_EQ(parsed->egress_port, 5000);
  EXPECT_FALSE(parsed->eci_active);
}

TEST(StackRecord, AFieldOfTheWrongTypeIsNamed) {
  EXPECT_EQ(error_of(R"({"dockerd": "4242"})"), "field \"dockerd\" must be a process id (0 to 4194304)");
  EXPECT_EQ(error_of(R"({"moatd": 1.5})"), "field \"moatd\" must be a process id (0 to 4194304)");
  EXPECT_EQ(error_of(R"({"moatdStarted": "soon"})"),
            "field \"moatdStarted\" must be a start time in clock ticks (an unsigned integer)");
  EXPECT_EQ(error_of(R"({"adminSettings": 7})"), "field \"adminSettings\" must be a string");
  EXPECT_EQ(error_of(R"({"eciActive": "yes"})"), "field \"eciActive\" must be true or false");
  EXPECT_EQ(error_of(R"({"egressPort": [80]})"), "field \"egressPort\" must be a TCP port (0 to 65535)");
}

// kill(2) takes -1 for every process and 0 for the caller's group.
TEST(StackRecord, APidOrPortOutOfRangeIsRefused) {
  EXPECT_EQ(error_of(R"({"dockerd": -1})"), "field \"dockerd\" must be a process id (0 to 4194304)");
  EXPECT_EQ(error_of(R"({"moatd": 4194305})"), "field \"moatd\" must be a process id (0 to 4194304)");
  EXPECT_EQ(error_of(R"({"egressPort": 65536})"), "field \"egressPort\" must be a TCP port (0 to 65535)");
  EXPECT_TRUE(parse_stack_record(R"({"dockerd": 4194304, "egressPort": 65535})"));
}

TEST(StackRecord, AnythingButAnObjectOfKnownFieldsIsRefused) {
  EXPECT_EQ(error_of(R"({"dockerd": 1, "pid": 2})"), "unknown field \"pid\"");
  EXPECT_EQ(error_of("[1, 2]"), "not a JSON object");
  EXPECT_EQ(error_of(R"({"dockerd": 1, "dockerd": 2})").rfind("not valid JSON: ", 0), 0u);
  EXPECT_EQ(error_of("").rfind("not valid JSON: ", 0), 0u);
}

TEST(StackRecord, NoFileIsNoRecordAndABadFileIsAnErrorNamingIt) {
  testing_support::TempDir root("moat-stack-record");
  const auto layout = core::stack::make_layout(root.str(), "");
  std::filesystem::create_directories(layout.state_dir());
  const auto none = read_stack_record(layout);
  ASSERT_TRUE(none) << none.error().message;
  EXPECT_FALSE(none->has_value());

  ASSERT_TRUE(write_stack_record(layout, full_record()));
  const auto written = read_stack_record(layout);
  ASSERT_TRUE(written) << written.error().message;
  ASSERT_TRUE(written->has_value());
  EXPECT_EQ(**written, full_record());

  std::ofstream(layout.stack_record(), std::ios::trunc) << R"({"dockerd": "x"})";
  const auto bad = read_stack_record(layout);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message,
            layout.stack_record() + ": field \"dockerd\" must be a process id (0 to 4194304)");
}

}  // namespace
}  // namespace moat::cli

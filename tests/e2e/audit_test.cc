// moatd's decisions land in a tamper-evident audit log that root can read,
// query and verify.
#include <gtest/gtest.h>

#include "harness/test_stack.h"

namespace moat::testing {
namespace {

TEST(Audit, DecisionsAreRecordedWithTheCallerAndVerify) {
  TestStack s("audit", test_admin_settings(R"("blockDockerLoad": {"locked": false, "value": false})"));
  ASSERT_EQ(s.up().exit_code, 0);
  const std::string moatctl = bin_dir() + "/moatctl";
  ASSERT_EQ(s.as_developer(moatctl + " settings set blockDockerLoad true --root " + s.root()).exit_code, 0);
  ASSERT_EQ(s.as_developer(moatctl + " settings set enhancedContainerIsolation false --root " + s.root()).exit_code, 1);
  const std::string uid = run("id -u " + developer()).out.substr(0, run("id -u " + developer()).out.size() - 1);

  const auto denied = s.moatctl("audit query --outcome deny --root " + s.root());
  EXPECT_EQ(denied.exit_code, 0) << denied.all();
  EXPECT_NE(denied.out.find("moatd deny settings.refused uid=" + uid), std::string::npos) << denied.out;
  EXPECT_NE(denied.out.find("is locked by your administrator"), std::string::npos) << denied.out;
  const auto allowed = s.moatctl("audit query --outcome allow --json --root " + s.root());
  EXPECT_NE(allowed.out.find("\"rule\":\"settings.changed\""), std::string::npos) << allowed.out;

  ASSERT_EQ(s.down().exit_code, 0);  // closing signs a checkpoint
  const auto verified = s.moatctl("audit verify --root " + s.root());
  EXPECT_EQ(verified.exit_code, 0) << verified.all();
  // Checkpoints come by count, by time and at close; the close leaves none unsigned.
  EXPECT_TRUE(verified.out.starts_with("moatd audit log verified: 2 records, ")) << verified.out;
  EXPECT_TRUE(verified.out.ends_with(" in 1 file, last seq 2, 0 records after the last checkpoint\n")) << verified.out;

  // A developer may not read everyone's records.
  const auto as_dev = s.as_developer(moatctl + " audit tail --root " + s.root());
  EXPECT_EQ(as_dev.exit_code, 1);
  EXPECT_EQ(as_dev.err, "moatctl audit tail: only root reads everyone's audit records\n");

  // One changed byte in the first record is found and named.
  ASSERT_EQ(run("sed -i '1s/settings.changed/settings.chan9ed/' " + s.root() + "/audit/moatd/audit.log").exit_code, 0);
  const auto tampered = s.moatctl("audit verify --root " + s.root());
  EXPECT_EQ(tampered.exit_code, 1);
  EXPECT_NE(tampered.out.find(s.root() + "/audit/moatd/audit.log:1: seq 1: "), std::string::npos) << tampered.all();
}

}  // namespace
}  // namespace moat::testing

#include "core/policy/container_creator.h"

#include <gtest/gtest.h>

namespace moat::core::policy {
namespace {

using Creator = Result<std::optional<trust::ContainerOwner>>;

TEST(ContainerCreator, ExecAndAttachActInAContainer) {
  EXPECT_TRUE(acts_in_container("POST", {"containers", "web", "exec"}));
  EXPECT_TRUE(acts_in_container("POST", {"containers", "web", "attach"}));
  EXPECT_TRUE(acts_in_container("GET", {"containers", "web", "attach", "ws"}));
  EXPECT_FALSE(acts_in_container("GET", {"containers", "web", "json"}));
  EXPECT_FALSE(acts_in_container("POST", {"containers", "web", "start"}));
  EXPECT_FALSE(acts_in_container("POST", {"exec", "abc", "start"}));
  EXPECT_FALSE(acts_in_container("GET", {"containers", "web", "exec"}));
  EXPECT_FALSE(acts_in_container("POST", {"containers", "exec"}));
}

TEST(ContainerCreator, TheCreatorRootAndAnyoneForAContainerNamingNoOneAreAllowed) {
  EXPECT_TRUE(judge_container_creator("web", Creator(trust::ContainerOwner{1001, 1001}), 1001).allowed);
  EXPECT_TRUE(judge_container_creator("web", Creator(trust::ContainerOwner{1001, 1001}), 0).allowed);
  EXPECT_TRUE(judge_container_creator("web", Creator(std::nullopt), 1002).allowed);
  EXPECT_TRUE(judge_container_creator("web", Creator(fail("unreadable")), 0).allowed);
}

TEST(ContainerCreator, AnotherDeveloperIsRefused) {
  const auto d = judge_container_creator("web", Creator(trust::ContainerOwner{1001, 1001}), 1002);
  EXPECT_EQ(d.message(),
            "Moat refused this request: container web was created by another developer (uid 1001): only they "
            "may run commands in it or attach to it, since it writes their bind-mounted directories as them "
            "(rule container.other-developer). Nothing an admin can change allows this.");
}

TEST(ContainerCreator, AnUnreadableRecordIsRefused) {
  const auto d = judge_container_creator("web", Creator(fail("config.v2.json: not a JSON object")), 1002);
  EXPECT_EQ(d.message(),
            "Moat refused this request: Moat could not tell who created container web (config.v2.json: not a "
            "JSON object), and only its creator may run commands in it (rule container.other-developer). "
            "Nothing an admin can change allows this.");
}

TEST(ContainerCreator, CopyingOutExportingLogsInspectTopAndDiffReadAContainer) {
  EXPECT_TRUE(reads_container("GET", {"containers", "web", "archive"}));
  EXPECT_TRUE(reads_container("HEAD", {"containers", "web", "archive"}));
  EXPECT_TRUE(reads_container("GET", {"containers", "web", "export"}));
  EXPECT_TRUE(reads_container("GET", {"containers", "web", "logs"}));
  EXPECT_FALSE(reads_container("PUT", {"containers", "web", "archive"}));  // a copy in: judge_archive_target
  EXPECT_FALSE(reads_container("POST", {"containers", "web", "logs"}));
  EXPECT_TRUE(reads_container("GET", {"containers", "web", "json"}));
  EXPECT_TRUE(reads_container("GET", {"containers", "web", "top"}));
  EXPECT_TRUE(reads_container("GET", {"containers", "web", "changes"}));
  EXPECT_FALSE(reads_container("GET", {"containers", "web", "stats"}));
  EXPECT_FALSE(reads_container("GET", {"containers", "json"}));  // docker ps
  EXPECT_FALSE(reads_container("GET", {"containers", "web", "logs", "x"}));
  EXPECT_FALSE(reads_container("GET", {"images", "web", "logs"}));
}

TEST(ContainerCreator, ACommitReadsTheContainerItsQueryNames) {
  EXPECT_EQ(commit_source("POST", {"commit"}, {{"repo", "x"}, {"container", "web"}, {"container", "db"}}), "web");
  EXPECT_EQ(commit_source("POST", {"commit"}, {{"repo", "x"}}), std::nullopt);
  EXPECT_EQ(commit_source("GET", {"commit"}, {{"container", "web"}}), std::nullopt);
  EXPECT_EQ(commit_source("POST", {"containers", "commit"}, {{"container", "web"}}), std::nullopt);
}

TEST(ContainerCreator, AnotherDeveloperReadingIsRefusedWithWhatReadingMeans) {
  const auto d =
      judge_container_creator("web", Creator(trust::ContainerOwner{1001, 1001}), 1002, ContainerUse::kRead);
  EXPECT_EQ(d.message(),
            "Moat refused this request: container web was created by another developer (uid 1001): only they "
            "may read what is in it (its files, output, processes and configuration, environment included) "
            "(rule container.other-developer). Nothing an admin can change allows this.");
  EXPECT_TRUE(judge_container_creator("web", Creator(trust::ContainerOwner{1001, 1001}), 1001, ContainerUse::kRead)
                  .allowed);
  EXPECT_EQ(judge_container_creator("web", Creator(fail("unreadable")), 1002, ContainerUse::kRead).reason,
            "Moat could not tell who created container web (unreadable), and only its creator may read what is "
            "in it");
}

TEST(ContainerCreator, StartingAnExecIsActingInItsContainer) {
  EXPECT_TRUE(starts_exec("POST", {"exec", "abc", "start"}));
  EXPECT_FALSE(starts_exec("POST", {"exec", "abc", "resize"}));
  EXPECT_FALSE(starts_exec("GET", {"exec", "abc", "json"}));
  EXPECT_FALSE(starts_exec("POST", {"containers", "abc", "start"}));
}

TEST(ContainerCreator, AnExecInAContainerNobodyNamedIsRefusedToDevelopers) {
  const auto refused = judge_exec_of_unknown_container("abc", "the engine answered 500 when asked for exec abc", 1000);
  EXPECT_EQ(refused.rule, "container.other-developer");
  EXPECT_EQ(refused.reason,
            "Moat could not tell which container exec abc runs in (the engine answered 500 when asked for exec "
            "abc), and only that container's creator may start it");
  EXPECT_TRUE(judge_exec_of_unknown_container("abc", "anything", 0).allowed);
}

}  // namespace
}  // namespace moat::core::policy

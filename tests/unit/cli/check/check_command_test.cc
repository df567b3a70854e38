#include "cli/check/check_command.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/temp_dir.h"

namespace moat::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kEciOff =
    R"({"configurationFileVersion": 2, "enhancedContainerIsolation": {"locked": true, "value": false}})";
constexpr const char* kEciOn =
    R"({"configurationFileVersion": 2, "enhancedContainerIsolation": {"locked": true, "value": true}})";

// A stack root and an admin settings file of our own. Settings files are
// trusted only when root owns them and nobody else can write them, so these
// tests run as root, as the settings tests do.
class CheckCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::geteuid(), 0U) << "check tests write root-owned admin settings and must run as root";
    ::chmod(dir_.c_str(), 0755);
    stack_.root = dir_ + "/stack";
    stack_.admin_settings = dir_ + "/admin-settings.json";
    fs::create_directories(stack_.root);
  }

  void write_settings(const std::string& text, mode_t mode = 0644) {
    std::ofstream(stack_.admin_settings) << text;
    ::chmod(stack_.admin_settings.c_str(), mode);
  }

  // What `moatctl up` leaves when ECI is on: the engine's runc is moat-runc.
  void install_runtime_wrapper() {
    fs::create_directories(stack_.root + "/runtime-bin");
    std::ofstream(stack_.root + "/runtime-bin/runc") << "#!/bin/sh\n";
  }

  struct Outcome {
    int exit_code = -1;
    std::string out;
    std::string err;
  };

  Outcome check(const std::vector<std::string>& argv, bool as_json = false, const std::string& as_user = "") {
    std::ostringstream out;
    std::ostringstream err;
    const int code = run_check(stack_, as_user, argv, as_json, check::HostEnvironment{"/root", {}}, out, err);
    return {code, out.str(), err.str()};
  }

  static std::string first_lines(const std::string& text, int count) {
    std::string out;
    std::istringstream in(text);
    std::string line;
    for (int i = 0; i < count && std::getline(in, line); ++i) out += line + "\n";
    return out;
  }

  testing_support::TempDir temp_{"moat-check"};
  std::string dir_ = temp_.str();
  StackOptions stack_;
};

TEST_F(CheckCommand, PrivilegedIsAllowedWhenSettingsTurnEciOn) {
  write_settings(kEciOn);
  const auto r = check({"docker", "run", "--privileged", "alpine"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(first_lines(r.out, 3),
            "allowed (rule container.create)\n"
            "Moat allowed this request (rule container.create).\n"
            "request: POST /v1.41/containers/create\n");
  EXPECT_EQ(r.err, "");
  // The body follows, pretty-printed.
  const std::string body = r.out.substr(first_lines(r.out, 3).size());
  EXPECT_EQ(json::parse(body).at("HostConfig").at("Privileged"), true);
}

TEST_F(CheckCommand, PrivilegedIsRefusedWithoutEci) {
  write_settings(kEciOff);
  const auto r = check({"docker", "run", "--privileged", "alpine"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(first_lines(r.out, 3),
            "refused (rule container.privileged)\n"
            "Moat refused this request: --privileged is not allowed without enhanced container isolation: the "
            "container would hold every capability and device of the host (setting enhancedContainerIsolation). An "
            "admin can allow it with \"enhancedContainerIsolation\": {\"value\": true} in admin-settings.json.\n"
            "request: POST /v1.41/containers/create\n");
}

TEST_F(CheckCommand, InstalledRuntimeMakesEciActiveAsMoatdSeesIt) {
  write_settings(kEciOff);
  install_runtime_wrapper();
  EXPECT_EQ(check({"docker", "run", "--privileged", "alpine"}).exit_code, 0);
}

TEST_F(CheckCommand, JsonReportsDecisionAndRequest) {
  write_settings(kEciOff);
  const auto r = check({"docker", "exec", "--privileged", "web", "sh"}, true);
  EXPECT_EQ(r.exit_code, 1);
  const json report = json::parse(r.out);
  EXPECT_EQ(report.at("allowed"), false);
  EXPECT_EQ(report.at("rule"), "exec.privileged");
  EXPECT_EQ(report.at("setting"), "enhancedContainerIsolation");
  EXPECT_EQ(report.at("reason"),
            "docker exec --privileged is not allowed without enhanced container isolation: the process would hold "
            "every capability of the host");
  EXPECT_EQ(report.at("remedy"),
            "An admin can allow it with \"enhancedContainerIsolation\": {\"value\": true} in admin-settings.json.");
  EXPECT_EQ(report.at("request").at("method"), "POST");
  EXPECT_EQ(report.at("request").at("path"), "/v1.41/containers/web/exec");
  EXPECT_EQ(report.at("request").at("query"), json::array());
  EXPECT_EQ(report.at("request").at("body").at("Privileged"), true);
  EXPECT_EQ(report.at("request").at("body").at("Cmd"), json::array({"sh"}));
}

TEST_F(CheckCommand, EngineSocketBindIsRefused) {
  write_settings(kEciOn);
  const auto r = check({"docker", "run", "-v", "/var/run/docker.sock:/s", "--name", "x", "alpine"}, true);
  EXPECT_EQ(r.exit_code, 1);
  const json report = json::parse(r.out);
  EXPECT_EQ(report.at("rule"), "bind.restricted-path");
  EXPECT_EQ(report.at("setting"), "");
  EXPECT_EQ(report.at("request").at("query"), json::parse(R"([["name", "x"]])"));
  EXPECT_EQ(report.at("request").at("body").at("HostConfig").at("Binds"), json::array({"/var/run/docker.sock:/s"}));
}

TEST_F(CheckCommand, HostPidIsRefused) {
  write_settings(kEciOn);
  const auto r = check({"docker", "run", "--pid=host", "alpine"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(first_lines(r.out, 2),
            "refused (rule container.namespace-host)\n"
            "Moat refused this request: --pid=host is not allowed: the container would share the host's process "
            "namespace (rule container.namespace-host). Nothing an admin can change allows this.\n");
}

TEST_F(CheckCommand, HostNetworkIsRefused) {
  write_settings(kEciOn);
  const auto r = check({"docker", "run", "--network=host", "alpine"}, true);
  EXPECT_EQ(r.exit_code, 1);
  const json report = json::parse(r.out);
  EXPECT_EQ(report.at("rule"), "container.namespace-host");
  EXPECT_EQ(report.at("reason"),
            "--network=host is not allowed: the container would share the host's network namespace");
}

TEST_F(CheckCommand, BindOfHomeDependsOnWhoAsks) {
  write_settings(kEciOn);
  EXPECT_EQ(check({"docker", "run", "-v", "/root:/r", "alpine"}, true, "root").exit_code, 0);
  const auto r = check({"docker", "run", "-v", "/root:/r", "alpine"}, true, "nobody");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(json::parse(r.out).at("rule"), "bind.outside-shared-directories");
}

TEST_F(CheckCommand, LoadIsRefusedWhenBlocked) {
  write_settings(R"({"configurationFileVersion": 2, "blockDockerLoad": {"locked": true, "value": true}})");
  const auto r = check({"docker", "load", "-i", "images.tar"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out,
            "refused (rule image.load-blocked)\n"
            "Moat refused this request: docker load is blocked (setting blockDockerLoad). An admin can allow it with "
            "\"blockDockerLoad\": {\"value\": false} in admin-settings.json.\n"
            "request: POST /v1.41/images/load?quiet=0\n"
            "body: the image archive from images.tar, streamed (the policy does not read it)\n");
}

TEST_F(CheckCommand, UnknownFlagIsExitTwoAndNamesTheFlag) {
  write_settings(kEciOn);
  const auto r = check({"docker", "run", "--bogus", "alpine"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "moatctl check: docker run: unknown flag: --bogus\n");
}

TEST_F(CheckCommand, UnknownUserIsExitTwo) {
  write_settings(kEciOn);
  const auto r = check({"docker", "run", "alpine"}, false, "no-such-user-here");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "moatctl check: --as-user no-such-user-here: no such user\n");
}

TEST_F(CheckCommand, TamperedSettingsGiveNoDecision) {
  write_settings(kEciOn, 0666);
  const auto r = check({"docker", "run", "alpine"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "moatctl check: the settings cannot be read, so nothing can be judged:\n  " + stack_.admin_settings +
                       ": refused as tampered: " + stack_.admin_settings +
                       " is writable by group or others (mode 0666)\n");
}

TEST_F(CheckCommand, CommandLineRegistration) {
  CLI::App app{"moatctl"};
  StackOptions stack;
  CheckCommandOptions options;
  add_check_command(app, stack, options);
  std::vector<std::string> args = {"moatctl",     "check",     "--root", "/tmp/r", "--admin-settings",
                                   "/tmp/a.json", "--as-user", "1000",   "--json", "--",
                                   "docker",      "run",       "-v",     "/a:/b",  "-it",
                                   "alpine",      "sh"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  ASSERT_NO_THROW(app.parse(static_cast<int>(argv.size()), argv.data()));
  EXPECT_EQ(stack.root, "/tmp/r");
  EXPECT_EQ(stack.admin_settings, "/tmp/a.json");
  EXPECT_EQ(options.as_user, "1000");
  EXPECT_TRUE(options.as_json);
  EXPECT_EQ(options.docker_argv, (std::vector<std::string>{"docker", "run", "-v", "/a:/b", "-it", "alpine", "sh"}));
}

}  // namespace
}  // namespace moat::cli

#pragma once
// A private Moat stack for end-to-end tests: its own root, engine data and
// exec roots, its own admin settings; the real moatctl, dockerd and runc;
// and a real non-root developer in group docker who uses it with the real
// docker CLI.

#include <string>

#include "harness/command.h"

namespace moat::testing {

// Where the built moatctl and moatd are (set by CMake).
std::string bin_dir();

// The developer account the tests act as; created on first use.
const std::string& developer();
std::string developer_home();
// A second developer, for what one may do to another's work; created on
// first use.
const std::string& other_developer();

// Settings that keep a test engine off the host's network configuration.
std::string test_admin_settings(const std::string& extra_members = "");

class TestStack {
 public:
  // `name` picks the directory under the suite's scratch root.
  TestStack(const std::string& name, const std::string& admin_settings_json);
  ~TestStack();
  TestStack(const TestStack&) = delete;
  TestStack& operator=(const TestStack&) = delete;

  CommandResult up();
  CommandResult down();
  CommandResult moatctl(const std::string& args);  // as root

  // The docker CLI as the developer, through moatd's user socket.
  CommandResult developer_docker(const std::string& args,
                                 std::chrono::seconds timeout = std::chrono::seconds(180));
  // Any shell command as the developer, with DOCKER_HOST set to the user socket.
  CommandResult as_developer(const std::string& command,
                             std::chrono::seconds timeout = std::chrono::seconds(180));
  // The docker CLI as other_developer(), through moatd's user socket.
  CommandResult other_developer_docker(const std::string& args,
                                       std::chrono::seconds timeout = std::chrono::seconds(180));
  // The docker CLI as root straight at the engine socket (to check effects).
  CommandResult engine_docker(const std::string& args);

  // The engine's and moatd's logs, for failure messages.
  std::string logs() const;
  // Lines of moatd's log where a sanitizer (sanitizer builds) reported an error.
  std::string sanitizer_reports() const;

  // Imports busybox-static as moat-test/busybox and builds a several-layer
  // image moat-test/layers, through the engine as root.
  void build_test_images();

  const std::string& root() const { return root_; }
  const std::string& admin_settings() const { return admin_settings_; }
  std::string user_socket() const { return root_ + "/docker.sock"; }
  std::string engine_socket() const { return root_ + "/engine.sock"; }

 private:
  // A shell command as `user` (HOME /home/USER), with DOCKER_HOST set to the user socket.
  CommandResult as_account(const std::string& user, const std::string& command, std::chrono::seconds timeout);

  std::string root_;
  std::string admin_settings_;
};

// The scratch directory of this test process, root-owned 0755.
const std::string& scratch_dir();

}  // namespace moat::testing

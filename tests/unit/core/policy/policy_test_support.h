#pragma once
// Test helpers for the policy: settings built in memory, a modelled host
// filesystem (symlinks and file identities), real temporary directories,
// and request builders.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/policy/policy.h"
#include "core/settings/admin_settings.h"
#include "core/settings/effective_settings.h"
#include "core/settings/user_settings.h"
#include "support/temp_dir.h"

namespace moat::core::policy::test_support {

using nlohmann::json;

// A host made of named paths: symlinks (absolute targets) and objects with
// identities. Paths not registered do not exist.
class FakeFilesystem final : public HostFilesystem {
 public:
  void add(const std::string& path) {
    if (!ids_.contains(path)) ids_[path] = FileId{1, next_inode_++};
  }
  void symlink(const std::string& path, const std::string& target) { links_[path] = target; }
  // `path` names the same object as `existing` (a second mount, a hard link).
  void alias(const std::string& path, const std::string& existing) {
    add(existing);
    ids_[path] = ids_.at(existing);
  }

  Result<std::string> resolve(const std::string& path) const override {
    std::vector<std::string> todo = components(path);
    std::string current = "/";
    int hops = 0;
    while (!todo.empty()) {
      const std::string component = todo.front();
      todo.erase(todo.begin());
      if (component == ".") continue;
      if (component == "..") {
        current = parent(current);
        continue;
      }
      const std::string candidate = current == "/" ? "/" + component : current + "/" + component;
      const auto link = links_.find(candidate);
      if (link != links_.end()) {
        if (++hops > 40)
          return fail("cannot resolve " + path + ": Too many levels of symbolic links");
        auto target = components(link->second);
        todo.insert(todo.begin(), target.begin(), target.end());
        current = "/";
        continue;
      }
      current = candidate;
    }
    return current;
  }

  std::optional<FileId> identity(const std::string& path) const override {
    const auto resolved = resolve(path);
    if (!resolved) return std::nullopt;
    const auto it = ids_.find(*resolved);
    if (it == ids_.end()) return std::nullopt;
    return it->second;
  }

 private:
  static std::vector<std::string> components(const std::string& path) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos <= path.size()) {
      const std::size_t end = std::min(path.find('/', pos), path.size());
      if (end > pos) out.push_back(path.substr(pos, end - pos));
      pos = end + 1;
    }
    return out;
  }
  static std::string parent(const std::string& path) {
    const std::size_t slash = path.rfind('/');
    return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
  }

  std::map<std::string, std::string> links_;
  std::map<std::string, FileId> ids_;
  ino_t next_inode_ = 100;
};

// A modelled host:
//   /run/moat/engine.sock (protected), /run/docker.sock, /var/run -> /run,
//   /home/dev (the caller's home) with project/, sock -> the engine socket,
//   runlink -> /run, and /mnt/run-again, a second mount of /run.
inline void model_host(FakeFilesystem& fs) {
  for (const char* path :
       {"/", "/run", "/run/moat", "/run/moat/engine.sock", "/run/docker.sock", "/home", "/home/dev",
        "/home/dev/project", "/tmp", "/etc", "/etc/docker", "/etc/docker/daemon.json", "/opt",
        "/opt/data", "/mnt", "/dev", "/dev/sda1", "/proc"}) {
    fs.add(path);
  }
  fs.symlink("/var/run", "/run");
  fs.symlink("/home/dev/sock", "/run/moat/engine.sock");
  fs.symlink("/home/dev/runlink", "/run");
  fs.symlink("/home/dev/loop", "/home/dev/loop");
  fs.alias("/mnt/run-again", "/run");
}

// A host's network as the policy sees it: what addresses_in_use() answers.
class FakeHostNetwork final : public HostNetwork {
 public:
  void use(const std::string& prefix, const std::string& description) {
    uses_.push_back({*IpPrefix::parse(prefix, true), description});
  }
  void fail_with(const std::string& message) { error_ = message; }
  void forward_ipv6(Result<bool> forwards) { forwards_ipv6_ = std::move(forwards); }

  Result<std::vector<HostAddressUse>> addresses_in_use() const override {
    if (!error_.empty()) return fail(error_);
    return uses_;
  }
  Result<bool> forwards_ipv6() const override { return forwards_ipv6_; }

 private:
  Result<bool> forwards_ipv6_ = false;
  std::vector<HostAddressUse> uses_;
  std::string error_;
};

// A host on a 10.0.2.0/24 LAN with its nameserver at 10.255.255.53 behind
// the default route, and fd00::/64 on the same interface.
inline void model_host_network(FakeHostNetwork& net) {
  net.use("10.0.2.0/24", "the host's route to 10.0.2.0/24 through eth0");
  net.use("10.0.2.15", "the host's address 10.0.2.15 on eth0");
  net.use("fd00::/64", "the host's route to fd00::/64 through eth0");
  net.use("10.255.255.53", "the host's nameserver 10.255.255.53 (/etc/resolv.conf)");
}

inline std::vector<ProtectedPath> modelled_protected_paths() {
  return {{"/run/moat/engine.sock", "the engine socket"},
          {"/run/moat", "Moat's run directory"},
          {"/etc/docker", "the engine configuration"},
          {"/var/run/docker.sock", "the system engine socket"}};
}

// Splits "containers/create?x=1" style paths into segments (no query).
inline std::vector<std::string> segments_of(const std::string& path) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < path.size()) {
    std::size_t end = path.find('/', pos);
    if (end == std::string::npos) end = path.size();
    out.push_back(path.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

inline ApiRequest request(const std::string& method, const std::string& path,
                          std::optional<json> body = std::nullopt,
                          std::vector<std::pair<std::string, std::string>> query = {}) {
  return ApiRequest{method, segments_of(path), std::move(query), std::move(body), std::nullopt};
}

inline ApiRequest create_with(const json& host_config) {
  return request("POST", "containers/create",
                 json{{"Image", "alpine"}, {"HostConfig", host_config}});
}

// Settings in force (admin values, locked) plus the modelled host.
class PolicyHarness {
 public:
  PolicyHarness() {
    model_host(fs);
    model_host_network(net);
  }

  void set(const std::string& key, json value) {
    admin_.values[key] = settings::AdminValue{std::move(value), true};
  }

  Decision decide(const ApiRequest& r) {
    const settings::EffectiveSettings effective(admin_, settings::UserSettings{});
    const PolicyContext context{effective, caller, protected_paths, eci_active, &fs, &net};
    return policy::decide(r, context);
  }

  // Runs `judge` with a context built like decide()'s.
  template <class F>
  auto with_context(F judge) {
    const settings::EffectiveSettings effective(admin_, settings::UserSettings{});
    const PolicyContext context{effective, caller, protected_paths, eci_active, &fs, &net};
    return judge(context);
  }

  FakeFilesystem fs;
  FakeHostNetwork net;
  Caller caller{1000, 1000, 4242, "/usr/bin/docker", "/home/dev"};
  std::vector<ProtectedPath> protected_paths = modelled_protected_paths();
  bool eci_active = true;

 private:
  settings::AdminSettings admin_;
};

using moat::testing_support::TempDir;

inline std::string refused(const std::string& reason_and_rule) {
  return "Moat refused this request: " + reason_and_rule;
}

inline const char* const kNoRemedy = " Nothing an admin can change allows this.";

}  // namespace moat::core::policy::test_support

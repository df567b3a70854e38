#pragma once
// The docker CLI's readings of single flag values (its opts package and the
// parsing in `docker run`): each returns what the CLI puts into the request,
// or the CLI's own complaint. Messages follow the CLI's wording so a refusal
// here reads like the one `docker` would print.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "cli/check/docker_flags.h"
#include "core/result/result.h"

namespace moat::cli::check {

using ValueResult = Result<std::string, std::string>;
using JsonResult = Result<nlohmann::json, std::string>;

// -e NAME=value as is; -e NAME takes NAME's value from the host, if set.
ValueResult validate_env(const std::string& value, const HostEnvironment& host);
// --label key[=value].
ValueResult validate_label(const std::string& value);
// --add-host name:ip or name=ip, sent as name:ip.
ValueResult validate_extra_host(const std::string& value);
// --dns: the address in Go's canonical text.
ValueResult validate_dns(const std::string& value);
// --sysctl: only the names the CLI lets through (IPC and net.*).
ValueResult validate_sysctl(const std::string& value);
// --device-cgroup-rule "c 1:3 rwm".
ValueResult validate_device_cgroup_rule(const std::string& value);
// --security-opt; a seccomp profile file is read and sent inline.
ValueResult validate_security_opt(const std::string& value, const HostEnvironment& host);
// --cap-add/--cap-drop as the client sends them: "CAP_NET_ADMIN", "ALL".
std::string normalize_capability(const std::string& value);

// --device /dev/x[:/dev/y][:rwm] as a DeviceMapping.
JsonResult parse_device(const std::string& value);
// A CDI device name ("vendor.com/class=name") rather than a path.
bool is_cdi_device_name(std::string_view value);
// --gpus as a DeviceRequest.
JsonResult parse_gpus(const std::string& value);
// --mount as a mount.Mount (Go's omitempty fields left out).
JsonResult parse_mount(const std::string& value, const HostEnvironment& host);
// --restart as a RestartPolicy.
JsonResult parse_restart_policy(const std::string& value);

// -v: compose's volume spec reading, enough to tell bind or named volume
// (a source) from an anonymous volume (none).
struct VolumeSpec {
  std::string source;
  std::string target;
};
Result<VolumeSpec, std::string> parse_volume_spec(const std::string& value);
// The -v entry as sent in Binds: a relative "./src" made absolute.
std::string bind_as_sent(const std::string& value, const HostEnvironment& host);

// -p [ip:][host:]container[/proto] (or published=,target=,protocol=):
// each container port ("80/tcp") with its binding {"HostIp","HostPort"}.
struct PortMapping {
  std::string port;
  nlohmann::json binding;
};
Result<std::vector<PortMapping>, std::string> parse_publish(const std::string& value);
// --expose port[-port][/proto]: the ports it exposes.
Result<std::vector<std::string>, std::string> parse_expose(const std::string& value);

}  // namespace moat::cli::check

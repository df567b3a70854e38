#include "moatd/http/docker_api_v141.h"

namespace moat::moatd::http::docker_api_v141 {
namespace {

using go_json::array;
using go_json::boolean;
using go_json::concat;
using go_json::empty_struct;
using go_json::Field;
using go_json::int64;
using go_json::map_of;
using go_json::pointer;
using go_json::slice;
using go_json::str_slice;
using go_json::string;
using go_json::structure;
using go_json::TypePtr;
using go_json::uint16;
using go_json::uint32;
using go_json::uint64;

TypePtr string_map() { return map_of(string()); }
TypePtr strings() { return slice(string()); }

// container.Resources, embedded in HostConfig and UpdateConfig.
std::vector<Field> resources_fields() {
  const TypePtr weight_device =
      structure("WeightDevice", {{"Path", string(), ""}, {"Weight", uint16(), ""}});
  const TypePtr throttle_device =
      structure("ThrottleDevice", {{"Path", string(), ""}, {"Rate", uint64(), ""}});
  const TypePtr device_mapping = structure("DeviceMapping", {
                                                                {"PathOnHost", string(), ""},
                                                                {"PathInContainer", string(), ""},
                                                                {"CgroupPermissions", string(), ""},
                                                            });
  const TypePtr device_request = structure("DeviceRequest", {
                                                                {"Driver", string(), ""},
                                                                {"Count", int64(), ""},
                                                                {"DeviceIDs", strings(), ""},
                                                                {"Capabilities", slice(strings()), ""},
                                                                {"Options", string_map(), ""},
                                                            });
  const TypePtr ulimit = structure("Ulimit", {
                                                 {"Name", string(), ""},
                                                 {"Hard", int64(), ""},
                                                 {"Soft", int64(), ""},
                                             });
  return {
      {"CpuShares", int64(), ""},
      {"Memory", int64(), ""},
      {"NanoCpus", int64(), ""},
      {"CgroupParent", string(), ""},
      {"BlkioWeight", uint16(), ""},
      {"BlkioWeightDevice", slice(pointer(weight_device)), ""},
      {"BlkioDeviceReadBps", slice(pointer(throttle_device)), ""},
      {"BlkioDeviceWriteBps", slice(pointer(throttle_device)), ""},
      {"BlkioDeviceReadIOps", slice(pointer(throttle_device)), ""},
      {"BlkioDeviceWriteIOps", slice(pointer(throttle_device)), ""},
      {"CpuPeriod", int64(), ""},
      {"CpuQuota", int64(), ""},
      {"CpuRealtimePeriod", int64(), ""},
      {"CpuRealtimeRuntime", int64(), ""},
      {"CpusetCpus", string(), ""},
      {"CpusetMems", string(), ""},
      {"Devices", slice(device_mapping), ""},
      {"DeviceCgroupRules", strings(), ""},
      {"DeviceRequests", slice(device_request), ""},
      {"KernelMemory", int64(), ""},
      {"KernelMemoryTCP", int64(), ""},
      {"MemoryReservation", int64(), ""},
      {"MemorySwap", int64(), ""},
      {"MemorySwappiness", pointer(int64()), ""},
      {"OomKillDisable", pointer(boolean()), ""},
      {"PidsLimit", pointer(int64()), ""},
      {"Ulimits", slice(pointer(ulimit)), ""},
      {"CpuCount", int64(), ""},
      {"CpuPercent", int64(), ""},
      {"IOMaximumIOps", uint64(), ""},
      {"IOMaximumBandwidth", uint64(), ""},
  };
}

TypePtr restart_policy() {
  return structure("RestartPolicy", {{"Name", string(), ""}, {"MaximumRetryCount", int64(), ""}});
}

TypePtr mount() {
  const TypePtr bind_options = structure("BindOptions", {
                                                            {"Propagation", string(), ""},
                                                            {"NonRecursive", boolean(), ""},
                                                        });
  const TypePtr driver = structure("Driver", {{"Name", string(), ""}, {"Options", string_map(), ""}});
  const TypePtr volume_options = structure("VolumeOptions", {
                                                                {"NoCopy", boolean(), ""},
                                                                {"Labels", string_map(), ""},
                                                                {"DriverConfig", pointer(driver), ""},
                                                                {"Subpath", string(), "1.45"},
                                                            });
  const TypePtr tmpfs_options = structure("TmpfsOptions", {
                                                              {"SizeBytes", int64(), ""},
                                                              {"Mode", uint32(), ""},
                                                          });
  const TypePtr image_options = structure("ImageOptions", {{"Subpath", string(), "1.48"}});
  return structure("Mount", {
                                {"Type", string(), ""},
                                {"Source", string(), ""},
                                {"Target", string(), ""},
                                {"ReadOnly", boolean(), ""},
                                {"Consistency", string(), ""},
                                {"BindOptions", pointer(bind_options), ""},
                                {"VolumeOptions", pointer(volume_options), ""},
                                {"TmpfsOptions", pointer(tmpfs_options), ""},
                                {"ImageOptions", pointer(image_options), "1.48"},
                            });
}

TypePtr host_config() {
  const TypePtr port_binding =
      structure("PortBinding", {{"HostIp", string(), ""}, {"HostPort", string(), ""}});
  const TypePtr log_config =
      structure("LogConfig", {{"Type", string(), ""}, {"Config", string_map(), ""}});
  std::vector<Field> own = {
      {"Binds", strings(), ""},
      {"ContainerIDFile", string(), ""},
      {"LogConfig", log_config, ""},
      {"NetworkMode", string(), ""},
      {"PortBindings", map_of(slice(port_binding)), ""},
      {"RestartPolicy", restart_policy(), ""},
      {"AutoRemove", boolean(), ""},
      {"VolumeDriver", string(), ""},
      {"VolumesFrom", strings(), ""},
      {"CapAdd", str_slice(), ""},
      {"CapDrop", str_slice(), ""},
      {"CgroupnsMode", string(), ""},
      {"Dns", strings(), ""},
      {"DnsOptions", strings(), ""},
      {"DnsSearch", strings(), ""},
      {"ExtraHosts", strings(), ""},
      {"GroupAdd", strings(), ""},
      {"IpcMode", string(), ""},
      {"Cgroup", string(), ""},
      {"Links", strings(), ""},
      {"OomScoreAdj", int64(), ""},
      {"PidMode", string(), ""},
      {"Privileged", boolean(), ""},
      {"PublishAllPorts", boolean(), ""},
      {"ReadonlyRootfs", boolean(), ""},
      {"SecurityOpt", strings(), ""},
      {"StorageOpt", string_map(), ""},
      {"Tmpfs", string_map(), ""},
      {"UTSMode", string(), ""},
      {"UsernsMode", string(), ""},
      {"ShmSize", int64(), ""},
      {"Sysctls", string_map(), ""},
      {"Runtime", string(), ""},
      {"ConsoleSize", array(uint64(), 2), ""},
      {"Isolation", string(), ""},
  };
  own = concat(std::move(own), resources_fields());
  own = concat(std::move(own), {
                                   {"Mounts", slice(mount()), ""},
                                   {"MaskedPaths", strings(), ""},
                                   {"ReadonlyPaths", strings(), ""},
                                   {"Init", pointer(boolean()), ""},
                               });
  return structure("HostConfig", std::move(own));
}

TypePtr health_config() {
  return structure("HealthConfig", {
                                       {"Test", strings(), ""},
                                       {"Interval", int64(), ""},
                                       {"Timeout", int64(), ""},
                                       {"StartPeriod", int64(), ""},
                                       {"Retries", int64(), ""},
                                   });
}

std::vector<Field> config_fields() {
  return {
      {"Hostname", string(), ""},
      {"Domainname", string(), ""},
      {"User", string(), ""},
      {"AttachStdin", boolean(), ""},
      {"AttachStdout", boolean(), ""},
      {"AttachStderr", boolean(), ""},
      {"ExposedPorts", map_of(empty_struct()), ""},
      {"Tty", boolean(), ""},
      {"OpenStdin", boolean(), ""},
      {"StdinOnce", boolean(), ""},
      {"Env", strings(), ""},
      {"Cmd", str_slice(), ""},
      {"Healthcheck", pointer(health_config()), ""},
      {"ArgsEscaped", boolean(), ""},
      {"Image", string(), ""},
      {"Volumes", map_of(empty_struct()), ""},
      {"WorkingDir", string(), ""},
      {"Entrypoint", str_slice(), ""},
      {"NetworkDisabled", boolean(), ""},
      {"MacAddress", string(), ""},
      {"OnBuild", strings(), ""},
      {"Labels", string_map(), ""},
      {"StopSignal", string(), ""},
      {"StopTimeout", pointer(int64()), ""},
      {"Shell", str_slice(), ""},
  };
}

TypePtr networking_config() {
  const TypePtr ipam_config = structure("EndpointIPAMConfig", {
                                                                  {"IPv4Address", string(), ""},
                                                                  {"IPv6Address", string(), ""},
                                                                  {"LinkLocalIPs", strings(), ""},
                                                              });
  const TypePtr endpoint = structure("EndpointSettings", {
                                                             {"IPAMConfig", pointer(ipam_config), ""},
                                                             {"Links", strings(), ""},
                                                             {"Aliases", strings(), ""},
                                                             {"NetworkID", string(), ""},
                                                             {"EndpointID", string(), ""},
                                                             {"Gateway", string(), ""},
                                                             {"IPAddress", string(), ""},
                                                             {"IPPrefixLen", int64(), ""},
                                                             {"IPv6Gateway", string(), ""},
                                                             {"GlobalIPv6Address", string(), ""},
                                                             {"GlobalIPv6PrefixLen", int64(), ""},
                                                             {"MacAddress", string(), ""},
                                                             {"DriverOpts", string_map(), ""},
                                                             {"GwPriority", int64(), "1.48"},
                                                             {"DNSNames", strings(), "1.44"},
                                                         });
  return structure("NetworkingConfig", {{"EndpointsConfig", map_of(pointer(endpoint)), ""}});
}

}  // namespace

const go_json::Type& container_create() {
  static const TypePtr type = structure(
      "ContainerConfigWrapper",
      concat(config_fields(), {
                                  {"HostConfig", pointer(host_config()), ""},
                                  {"NetworkingConfig", networking_config(), ""},
                              }));
  return *type;
}

const go_json::Type& container_update() {
  static const TypePtr type = structure(
      "UpdateConfig", concat(resources_fields(), {{"RestartPolicy", restart_policy(), ""}}));
  return *type;
}

const go_json::Type& exec_create() {
  static const TypePtr type = structure("ExecConfig", {
                                                          {"User", string(), ""},
                                                          {"Privileged", boolean(), ""},
                                                          {"Tty", boolean(), ""},
                                                          {"AttachStdin", boolean(), ""},
                                                          {"AttachStderr", boolean(), ""},
                                                          {"AttachStdout", boolean(), ""},
                                                          {"Detach", boolean(), ""},
                                                          {"DetachKeys", string(), ""},
                                                          {"Env", strings(), ""},
                                                          {"WorkingDir", string(), ""},
                                                          {"Cmd", strings(), ""},
                                                      });
  return *type;
}

const go_json::Type& exec_start() {
  static const TypePtr type =
      structure("ExecStartCheck", {{"Detach", boolean(), ""}, {"Tty", boolean(), ""}});
  return *type;
}

const go_json::Type& volume_create() {
  static const TypePtr type = structure("VolumeCreateBody", {
                                                                {"Driver", string(), ""},
                                                                {"DriverOpts", string_map(), ""},
                                                                {"Labels", string_map(), ""},
                                                                {"Name", string(), ""},
                                                            });
  return *type;
}

const go_json::Type& network_create() {
  static const TypePtr type = [] {
    const TypePtr ipam_config = structure("IPAMConfig", {
                                                            {"Subnet", string(), ""},
                                                            {"IPRange", string(), ""},
                                                            {"Gateway", string(), ""},
                                                            {"AuxiliaryAddresses", string_map(), ""},
                                                        });
    const TypePtr ipam = structure("IPAM", {
                                               {"Driver", string(), ""},
                                               {"Options", string_map(), ""},
                                               {"Config", slice(ipam_config), ""},
                                           });
    const TypePtr config_reference = structure("ConfigReference", {{"Network", string(), ""}});
    return structure("NetworkCreateRequest", {
                                                 {"Name", string(), ""},
                                                 {"CheckDuplicate", boolean(), ""},
                                                 {"Driver", string(), ""},
                                                 {"Scope", string(), ""},
                                                 {"EnableIPv6", boolean(), ""},
                                                 {"IPAM", pointer(ipam), ""},
                                                 {"Internal", boolean(), ""},
                                                 {"Attachable", boolean(), ""},
                                                 {"Ingress", boolean(), ""},
                                                 {"ConfigOnly", boolean(), ""},
                                                 {"ConfigFrom", pointer(config_reference), ""},
                                                 {"Options", string_map(), ""},
                                                 {"Labels", string_map(), ""},
                                                 {"EnableIPv4", pointer(boolean()), "1.47"},
                                             });
  }();
  return *type;
}

}  // namespace moat::moatd::http::docker_api_v141

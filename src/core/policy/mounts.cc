#include "core/policy/mounts.h"

#include <algorithm>
#include <array>
#include <string_view>

#include "core/policy/host_paths.h"

namespace moat::core::policy {
namespace {

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find(separator, start);
    out.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) return out;
    start = end + 1;
  }
}

bool is_shared_propagation(const std::string& option) {
  return option == "shared" || option == "rshared";
}

Decision propagation_refused(const std::string& subject, const std::string& propagation) {
  return Decision::deny("bind.propagation", "",
                        subject + " with " + propagation +
                            " propagation is not allowed: mounts made in the container would "
                            "appear on the host",
                        "");
}

Decision judge_binds(const Fields& host_config, const PolicyContext& context) {
  const auto binds = host_config.strings("Binds");
  if (!binds) return binds.error();
  for (const auto& bind : *binds) {
    const auto parts = split(bind, ':');
    if (parts.size() > 3 || parts[0].empty() || (parts.size() > 1 && parts[1].empty())) {
      return Decision::deny("mount.binds-syntax", "",
                            "bind \"" + bind +
                                "\" is not allowed: expected [source:]target[:options]",
                            "");
    }
    if (parts.size() == 1 || !parts[0].starts_with("/")) continue;  // a volume, not a host path
    const std::string subject = "bind mount of " + parts[0];
    if (const Decision d = judge_host_path(parts[0], subject, context); !d.allowed) return d;
    if (parts.size() == 3) {
      for (const auto& option : split(parts[2], ',')) {
        if (is_shared_propagation(option)) return propagation_refused(subject, option);
      }
    }
  }
  return Decision::allow("mount.binds");
}

Decision judge_volume_mount(const Fields& mount, const PolicyContext& context) {
  const auto source = mount.string("Source");
  if (!source) return source.error();
  const auto options = mount.object_at("VolumeOptions");
  if (!options) return options.error();
  const auto driver_config = options->object_at("DriverConfig");
  if (!driver_config) return driver_config.error();
  const auto driver = driver_config->string("Name");
  if (!driver) return driver.error();
  if (const Decision d = judge_volume_driver(*driver, context); !d.allowed) return d;
  if (!driver->empty() && *driver != "local") return Decision::allow("mount.volume");
  const auto driver_options = driver_config->string_map("Options");
  if (!driver_options) return driver_options.error();
  const std::string subject = source->empty() ? "anonymous volume" : "volume " + *source;
  return judge_local_volume_options(*driver_options, subject, context);
}

Decision judge_mount_entries(const Fields& host_config, const PolicyContext& context) {
  const auto mounts = host_config.array("Mounts");
  if (!mounts) return mounts.error();
  if (*mounts == nullptr) return Decision::allow("mount.mounts");
  for (std::size_t i = 0; i < (*mounts)->size(); ++i) {
    const auto mount = element_object(**mounts, i, host_config.pointer("Mounts"));
    if (!mount) return mount.error();
    const auto type = mount->string("Type");
    if (!type) return type.error();
    if (*type == "bind") {
      const auto source = mount->string("Source");
      if (!source) return source.error();
      const std::string subject = "bind mount of " + *source;
      if (const Decision d = judge_host_path(*source, subject, context); !d.allowed) return d;
      const auto bind_options = mount->object_at("BindOptions");
      if (!bind_options) return bind_options.error();
      const auto propagation = bind_options->string("Propagation");
      if (!propagation) return propagation.error();
      if (is_shared_propagation(*propagation)) return propagation_refused(subject, *propagation);
    } else if (*type == "volume") {
      if (const Decision d = judge_volume_mount(*mount, context); !d.allowed) return d;
    } else if (*type != "tmpfs") {
      return Decision::deny("mount.type", "",
                            "mount type \"" + *type +
                                "\" is not allowed: only bind, volume and tmpfs mounts are",
                            "");
    }
  }
  return Decision::allow("mount.mounts");
}

Decision judge_volumes_from(const Fields& host_config) {
  const auto from = host_config.strings("VolumesFrom");
  if (!from) return from.error();
  if (from->empty()) return Decision::allow("container.volumes-from");
  return Decision::deny("container.volumes-from", "",
                        "--volumes-from " + from->front() +
                            " is not allowed: it copies another container's mounts, which may "
                            "include host paths this request could not name itself",
                        "");
}

}  // namespace

Decision judge_volume_driver(const std::string& driver, const PolicyContext& context) {
  if (driver.empty() || driver == "local") return Decision::allow("volume.driver");
  if (context.setting_on("moat.allowPlugins")) return Decision::allow("volume.driver-plugin");
  return Decision::deny("volume.driver-plugin", "moat.allowPlugins",
                        "volume driver \"" + driver +
                            "\" is not allowed: volume drivers other than local are engine "
                            "plugins",
                        admin_remedy("moat.allowPlugins", true));
}

Decision judge_local_volume_options(const StringPairs& options, const std::string& subject,
                                    const PolicyContext& context) {
  std::string type;
  std::string device;
  std::string mount_options;
  for (const auto& [key, value] : options) {
    if (key == "type") {
      type = value;
    } else if (key == "device") {
      device = value;
    } else if (key == "o") {
      mount_options = value;
    } else if (key != "size") {
      return Decision::deny("volume.local-options", "",
                            subject + " is not allowed: \"" + key +
                                "\" is not an option of the local volume driver",
                            "");
    }
  }
  bool binds = false;
  for (const auto& option : split(mount_options, ',')) {
    if (option == "bind" || option == "rbind") binds = true;
    if (option == "remount" || option == "move") {
      return Decision::deny("volume.local-options", "",
                            subject + " is not allowed: mount option " + option +
                                " acts on existing host mounts",
                            "");
    }
  }
  if (binds) {
    const std::string bind_subject = subject + " binding " + device;
    if (const Decision d = judge_host_path(device, bind_subject, context); !d.allowed) return d;
    for (const auto& option : split(mount_options, ',')) {
      if (is_shared_propagation(option)) return propagation_refused(bind_subject, option);
    }
    return Decision::allow("volume.local-options");
  }
  static constexpr std::array<std::string_view, 5> kMountable = {"tmpfs", "nfs", "nfs4", "cifs",
                                                                 "smb3"};
  if (type.empty() && device.empty()) return Decision::allow("volume.local-options");
  if (std::find(kMountable.begin(), kMountable.end(), type) != kMountable.end()) {
    return Decision::allow("volume.local-options");
  }
  return Decision::deny("volume.local-options", "",
                        subject + " is not allowed: the local driver would mount " +
                            (type.empty() ? std::string("a filesystem") : "type " + type) +
                            (device.empty() ? std::string() : " from " + device) +
                            "; it may bind a shared directory or mount tmpfs, nfs, nfs4, cifs or "
                            "smb3",
                        "");
}

Decision judge_container_mounts(const Fields& host_config, const PolicyContext& context) {
  if (const Decision d = judge_binds(host_config, context); !d.allowed) return d;
  if (const Decision d = judge_mount_entries(host_config, context); !d.allowed) return d;
  if (const Decision d = judge_volumes_from(host_config); !d.allowed) return d;
  const auto driver = host_config.string("VolumeDriver");
  if (!driver) return driver.error();
  if (const Decision d = judge_volume_driver(*driver, context); !d.allowed) return d;
  return Decision::allow("container.mounts");
}

}  // namespace moat::core::policy

#include "core/settings/setting_spec.h"

#include <algorithm>

namespace moat::core::settings {
namespace {

using nlohmann::json;
constexpr auto kEnforced = Applicability::kEnforced;
constexpr auto kNotApplicable = Applicability::kNotApplicable;
constexpr auto kNotEnforced = Applicability::kNotEnforced;

const std::string kDesktopOnly = "applies to Docker Desktop's app or VM, not to a Linux engine";

// A Docker-style leaf {"locked": bool, "value": ...} at `path` ("a/b").
SettingSpec leaf(const std::string& path, ValueKind kind, json def, Applicability applicability,
                 std::string note = kDesktopOnly) {
  std::string key = path;
  std::replace(key.begin(), key.end(), '/', '.');
  return SettingSpec{key, "/" + path + "/value", "/" + path + "/locked", kind, std::move(def),
                     applicability, std::move(note)};
}

// A member of a group that carries one `locked` for all members ("proxy").
SettingSpec member(const std::string& group, const std::string& path, ValueKind kind, json def,
                   Applicability applicability, std::string note = kDesktopOnly) {
  std::string key = group + "." + path;
  std::replace(key.begin(), key.end(), '/', '.');
  return SettingSpec{key, "/" + group + "/" + path, "/" + group + "/locked", kind, std::move(def),
                     applicability, std::move(note)};
}

SettingSpec with_choices(SettingSpec s, std::vector<std::string> choices) {
  s.choices = std::move(choices);
  return s;
}

SettingSpec with_range(SettingSpec s, long long min, long long max) {
  s.min = min;
  s.max = max;
  return s;
}

SettingSpec engine(SettingSpec s) {
  s.engine_setting = true;
  return s;
}

std::vector<SettingSpec> build_table() {
  using K = ValueKind;
  const std::string proxy_note = "the engine's proxy for pulls and pushes";
  std::vector<SettingSpec> t = {
      // Enhanced Container Isolation: the group `locked` covers every sub-setting.
      engine(member("enhancedContainerIsolation", "value", K::kBool, true, kEnforced,
                    "run every container in its own user namespace through moat-runc")),
      member("enhancedContainerIsolation", "dockerSocketMount/imageList/images", K::kStringList,
             json::array(), kNotEnforced,
             "Moat refuses every engine socket mount; image allow lists are not supported yet"),
      member("enhancedContainerIsolation", "dockerSocketMount/imageList/allowDerivedImages",
             K::kBool, true, kNotEnforced, "see dockerSocketMount.imageList.images"),
      with_choices(member("enhancedContainerIsolation", "dockerSocketMount/commandList/type",
                          K::kEnum, "deny", kNotEnforced, "see dockerSocketMount.imageList.images"),
                   {"deny", "allow"}),
      member("enhancedContainerIsolation", "dockerSocketMount/commandList/commands",
             K::kStringList, json::array(), kNotEnforced, "see dockerSocketMount.imageList.images"),

      // proxy: what the engine uses to reach registries.
      engine(with_choices(member("proxy", "mode", K::kEnum, "system", kEnforced,
                                 "manual: use proxy.http/https/exclude for the engine; system: "
                                 "the environment of moatctl up"),
                          {"system", "manual"})),
      engine(member("proxy", "http", K::kString, "", kEnforced, proxy_note)),
      engine(member("proxy", "https", K::kString, "", kEnforced, proxy_note)),
      engine(member("proxy", "exclude", K::kStringOrList, json::array(), kEnforced,
                    "hosts the engine reaches without the proxy")),
      with_range(member("proxy", "windowsDockerdPort", K::kInteger, -1, kNotApplicable),
                 -1, 65535),
      member("proxy", "enableKerberosNtlm", K::kBool, false, kNotApplicable),
      member("proxy", "pac", K::kString, "", kNotEnforced,
             "PAC files are not evaluated; set proxy.http/https instead"),
      member("proxy", "embeddedPac", K::kString, "", kNotEnforced,
             "PAC files are not evaluated; set proxy.http/https instead"),

      // containersProxy: Docker Desktop's air-gapped containers. Its pull proxy
      // outranks `proxy` for the engine, as in Docker Desktop.
      engine(with_choices(member("containersProxy", "mode", K::kEnum, "system", kEnforced,
                                 "manual: the engine's pull proxy, outranking proxy.*"),
                          {"system", "manual"})),
      engine(member("containersProxy", "http", K::kString, "", kEnforced, proxy_note)),
      engine(member("containersProxy", "https", K::kString, "", kEnforced, proxy_note)),
      engine(member("containersProxy", "exclude", K::kStringOrList, json::array(), kEnforced,
                    "hosts the engine reaches without the proxy")),
      member("containersProxy", "pac", K::kString, "", kNotEnforced,
             "PAC files are not evaluated; set containersProxy.http/https instead"),
      member("containersProxy", "embeddedPac", K::kString, "", kNotEnforced,
             "PAC files are not evaluated; set containersProxy.http/https instead"),
      member("containersProxy", "transparentPorts", K::kString, "", kNotEnforced,
             "container traffic is not intercepted by Moat"),

      // linuxVM: only the engine options mean something here.
      engine(leaf("linuxVM/dockerDaemonOptions", K::kDaemonOptions, "{}", kEnforced,
                  "dockerd options merged into the engine configuration (Moat-owned keys refused)")),
      leaf("linuxVM/wslEngineEnabled", K::kBool, false, kNotApplicable),
      leaf("linuxVM/vpnkitCIDR", K::kString, "192.168.65.0/24", kNotApplicable),
      leaf("windowsContainers/dockerDaemonOptions", K::kString, "{}", kNotApplicable),

      member("kubernetes", "enabled", K::kBool, false, kNotApplicable),
      member("kubernetes", "showSystemContainers", K::kBool, false, kNotApplicable),
      member("kubernetes", "imagesRepository", K::kString, "", kNotApplicable),
      member("scout", "sbomIndexing", K::kBool, true, kNotApplicable),
      member("scout", "useBackgroundIndexing", K::kBool, true, kNotApplicable),

      leaf("blockDockerLoad", K::kBool, false, kEnforced,
           "refuse docker load and docker import"),
      SettingSpec{"filesharingAllowedDirectories", "/filesharingAllowedDirectories", "",
                  K::kShareDirectories,
                  json::array({{{"path", "$HOME"}, {"sharedByDefault", true}},
                               {{"path", "$TMP"}, {"sharedByDefault", false}}}),
                  kEnforced,
                  "host directories (and their subdirectories) a developer may bind-mount"},

      leaf("exposeDockerAPIOnTCP2375", K::kBool, false, kNotApplicable),
      leaf("disableUpdate", K::kBool, false, kNotApplicable),
      leaf("silentModulesUpdate", K::kBool, true, kNotApplicable),
      leaf("analyticsEnabled", K::kBool, true, kNotApplicable),
      leaf("extensionsEnabled", K::kBool, true, kNotApplicable),
      leaf("onlyMarketplaceExtensions", K::kBool, false, kNotApplicable),
      leaf("extensionsPrivateMarketplace", K::kBool, false, kNotApplicable),
      leaf("extensionsPrivateMarketplaceAdminContactURL", K::kString, "", kNotApplicable),
      leaf("allowExperimentalFeatures", K::kBool, false, kNotApplicable),
      leaf("allowBetaFeatures", K::kBool, false, kNotApplicable),
      leaf("enableDockerAI", K::kBool, false, kNotApplicable),
      leaf("enableDockerMCPToolkit", K::kBool, false, kNotApplicable),
      leaf("enableCloud", K::kBool, false, kNotApplicable),
      leaf("useVirtualizationFrameworkVirtioFS", K::kBool, true, kNotApplicable),
      leaf("useGrpcfuse", K::kBool, true, kNotApplicable),
      leaf("useVirtualizationFrameworkRosetta", K::kBool, false, kNotApplicable),
      leaf("displayedOnboarding", K::kBool, false, kNotApplicable),
      leaf("desktopTerminalEnabled", K::kBool, false, kNotApplicable),
      leaf("enableInference", K::kBool, false, kNotApplicable),
      leaf("enableInferenceTCP", K::kBool, false, kNotApplicable),
      with_range(leaf("enableInferenceTCPPort", K::kInteger, 12434, kNotApplicable), 1, 65535),
      leaf("enableInferenceCORS", K::kString, "", kNotApplicable),
      leaf("enableInferenceGPUVariant", K::kBool, false, kNotApplicable),
      with_choices(leaf("defaultNetworkingMode", K::kEnum, "dual-stack", kNotApplicable),
                   {"dual-stack", "ipv4only", "ipv6only"}),
      with_choices(leaf("dnsInhibition", K::kEnum, "auto", kNotApplicable),
                   {"auto", "ipv4", "ipv6", "none"}),
      engine(with_choices(leaf("portBindingBehavior", K::kEnum, "default-port-binding", kEnforced,
                               "where published ports listen: any address, 127.0.0.1 unless one is "
                               "named, or loopback only (other addresses refused)"),
                          {"default-port-binding", "default-local-port-binding", "local-only-port-binding"})),

      // Moat's own settings.
      leaf("moat/registryAccess", K::kRegistries, json::array(), kEnforced,
           "registry allowlist for pulls and pushes through moatd: [{address, nickname, pull, push, auxiliaryHosts}]; empty: off"),
      with_choices(member("moat/audit", "onWriteFailure", K::kEnum, "refuse", kNotEnforced,
                          "what to do when the audit log cannot be written"),
                   {"refuse", "continue"}),
      with_range(member("moat/audit", "rotateMegabytes", K::kInteger, 64, kNotEnforced,
                        "size at which the audit log is rotated"),
                 1, 65536),
      member("moat/audit", "syslog", K::kString, "", kEnforced,
             "export audit records to syslog (RFC 5424): \"\" off, \"local\", \"tcp://HOST:PORT\" "
             "or \"tls://HOST:PORT\""),
      member("moat/audit", "syslogCaFile", K::kString, "", kEnforced,
             "PEM file of the CA the tls syslog collector's certificate must chain to"),
      member("moat/audit", "syslogClientCert", K::kString, "", kEnforced,
             "PEM client certificate moatd shows a tls syslog collector (optional)"),
      member("moat/audit", "syslogClientKey", K::kString, "", kEnforced,
             "PEM key of moat.audit.syslogClientCert"),
      with_choices(leaf("moat/bindMountsWriteAs", K::kEnum, "developer", kEnforced,
                        "whom container root writes host bind mounts as: \"developer\" (the developer who "
                        "created the container) or \"containerRange\" (the container's own unprivileged ids)"),
                   {"developer", "containerRange"}),
      leaf("moat/allowPlugins", K::kBool, false, kEnforced,
           "let developers install and manage engine plugins"),
      leaf("moat/allowSwarm", K::kBool, false, kEnforced,
           "let developers use swarm, services, secrets and configs"),
      leaf("moat/allowAnyLogDriver", K::kBool, false, kEnforced,
           "let developers pick log drivers that send container output off the engine's storage "
           "(syslog, journald, gelf, fluentd, ...); json-file, local and none are always allowed"),
      leaf("moat/verifyInstalledCode", K::kBool, true, kEnforced,
           "moatctl up refuses to start Moat's binaries unless they match the signed manifest"),
  };
  // Whatever reaches the engine or Moat's own controls is locked unless the
  // admin says otherwise; the rest of Docker Desktop's keys stay user-defined.
  for (auto& s : t) {
    if (s.engine_setting || s.key.starts_with("moat.")) s.locked_by_default = true;
  }
  // Group keys are named after the group itself for the group's own value
  // ("enhancedContainerIsolation.value" -> "enhancedContainerIsolation").
  for (auto& s : t) {
    if (s.key.ends_with(".value")) s.key.resize(s.key.size() - 6);
  }
  return t;
}

}  // namespace

std::span<const SettingSpec> all_settings() {
  static const std::vector<SettingSpec> table = build_table();
  return table;
}

const SettingSpec* find_setting(std::string_view key) {
  for (const auto& s : all_settings()) {
    if (s.key == key) return &s;
  }
  return nullptr;
}

const SettingSpec* find_setting_by_value_pointer(std::string_view pointer) {
  for (const auto& s : all_settings()) {
    if (s.value_pointer == pointer) return &s;
  }
  return nullptr;
}

std::string dotted(std::string_view pointer) {
  std::string out;
  for (std::size_t i = 0; i < pointer.size(); ++i) {
    if (pointer[i] == '/') {
      if (i != 0) out += '.';
    } else if (pointer[i] == '~' && i + 1 < pointer.size()) {
      out += pointer[i + 1] == '1' ? '/' : '~';
      ++i;
    } else {
      out += pointer[i];
    }
  }
  return out;
}

}  // namespace moat::core::settings

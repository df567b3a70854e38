#include "core/policy/registries.h"

#include <optional>
#include <string>

#include "core/image/image_ref.h"

namespace moat::core::policy {
namespace {

constexpr const char* kSetting = "moat.registryAccess";

const nlohmann::json& access_list(const PolicyContext& context) {
  return context.settings.value(kSetting);
}

std::string file_remedy(const std::string& change) {
  return "An admin can allow it by " + change + " in admin-settings.json.";
}

Decision not_allowed(const std::string& key, const std::string& remedy) {
  return Decision::deny("registry.not-allowed", kSetting,
                        "registry access to " + key + " is not allowed", remedy);
}

// Settings are validated on load, so only a broken caller gets a non-list.
Decision setting_invalid() {
  return Decision::deny("registry.setting-invalid", kSetting,
                        "moat.registryAccess is not a list of registries, so no registry is allowed",
                        "An admin has to correct moat.registryAccess in admin-settings.json.");
}

std::string address_of(const nlohmann::json& entry) {
  const auto it = entry.find("address");
  return it != entry.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Absent flags take the documented defaults; anything but a boolean denies.
bool flag(const nlohmann::json& entry, const char* name, bool absent) {
  if (!entry.contains(name)) return absent;
  const auto& value = entry[name];
  return value.is_boolean() && value.get<bool>();
}

// `what` names the input: `image reference "X"` or `... "X" with tag "T"`.
Decision invalid_reference(const std::string& what, const std::string& message) {
  return Decision::deny("image.reference-invalid", "", what + " is invalid: " + message, "");
}

std::string in_quotes(std::string_view text) { return "\"" + std::string(text) + "\""; }

// The engine's handling of the separate tag parameter: a tag that parses as
// a digest replaces tag and digest of the name; otherwise it must be a tag.
Result<image::ImageRef, std::string> apply_tag(const image::ImageRef& ref, std::string_view tag,
                                               RegistryAction action) {
  const std::string bare = ref.name();
  if (action == RegistryAction::kPull) {
    auto by_digest = image::parse_image_ref(bare + "@" + std::string(tag));
    if (by_digest && by_digest->digest == tag && !by_digest->tag) return *by_digest;
  }
  auto by_tag = image::parse_image_ref(bare + ":" + std::string(tag));
  if (by_tag && by_tag->tag == tag && !by_tag->digest) return *by_tag;
  return unexpected(std::string("invalid tag format"));
}

bool host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-';
}

bool all_digits(std::string_view text) {
  if (text.empty()) return false;
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

// host[:port] of an absolute http(s) URL, split as Go's net/url splits it
// (authority ends at the first '/', '?' or '#'; user info ends at the last
// '@'), but stricter about what a host may contain. Hand-written because the
// Boost in Debian predates Boost.URL, and only this one piece is needed.
std::optional<std::string> url_host(std::string_view url) {
  std::size_t start = 0;
  if (starts_with_ignoring_case(url, "http://")) {
    start = 7;
  } else if (starts_with_ignoring_case(url, "https://")) {
    start = 8;
  } else {
    return std::nullopt;
  }
  std::string_view authority = url.substr(start);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority = authority.substr(at + 1);
  }
  std::string_view host = authority;
  std::string_view port;
  bool has_port = false;
  if (authority.starts_with('[')) {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos || close < 2) return std::nullopt;
    for (const char c : authority.substr(1, close - 1)) {
      const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
                      c == ':' || c == '.';
      if (!ok) return std::nullopt;
    }
    host = authority.substr(0, close + 1);
    const std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (!rest.starts_with(':')) return std::nullopt;
      has_port = true;
      port = rest.substr(1);
    }
  } else {
    if (const std::size_t colon = authority.find(':'); colon != std::string_view::npos) {
      host = authority.substr(0, colon);
      has_port = true;
      port = authority.substr(colon + 1);
    }
    if (host.empty()) return std::nullopt;
    for (const char c : host) {
      if (!host_char(c)) return std::nullopt;
    }
  }
  if (has_port && !all_digits(port)) return std::nullopt;
  std::string out(host);
  if (has_port) out += ":" + std::string(port);
  return out;
}

// "host:port" or "[v6]:port" carries a port; "host" and "[v6]" do not.
bool has_port(std::string_view address) {
  const std::size_t close = address.rfind(']');
  const std::size_t colon = address.rfind(':');
  return colon != std::string_view::npos && (close == std::string_view::npos || colon > close);
}

// Does `written` (an address or auxiliary host from the list) name the
// connection target `key_with_port` / `key_without_port`?
bool names_target(std::string_view written, const std::string& key_with_port, const std::string& key_without_port,
                  bool default_port) {
  if (written.empty()) return false;
  const std::string key = image::canonical_registry(written);
  if (has_port(written)) return key == key_with_port;
  return default_port && key == key_without_port;
}

}  // namespace

bool registry_access_restricted(const PolicyContext& context) {
  const auto& list = access_list(context);
  if (list.is_null()) return false;
  return !(list.is_array() && list.empty());
}

Decision judge_registry_host(std::string_view host, RegistryAction action,
                             const PolicyContext& context) {
  if (!registry_access_restricted(context)) return Decision::allow("registry.unrestricted");
  const auto& list = access_list(context);
  if (!list.is_array()) {
    return setting_invalid();
  }
  const std::string key = image::canonical_registry(host);
  if (key.empty()) return not_allowed("an unnamed registry", "");

  const nlohmann::json* first_match = nullptr;
  for (const auto& entry : list) {
    if (!entry.is_object()) continue;
    const std::string address = address_of(entry);
    if (address.empty() || image::canonical_registry(address) != key) continue;
    const bool allows = action == RegistryAction::kPull ? flag(entry, "pull", true)
                                                        : flag(entry, "push", false);
    if (allows) return Decision::allow("registry.allowed");
    if (first_match == nullptr) first_match = &entry;
  }

  if (first_match == nullptr) {
    const std::string flags = action == RegistryAction::kPull ? "\"pull\": true"
                                                              : "\"pull\": true, \"push\": true";
    return not_allowed(key, file_remedy("adding {\"address\": \"" + key + "\", " + flags +
                                        "} to moat.registryAccess"));
  }
  const std::string entry_name = "the entry with \"address\": \"" + address_of(*first_match) +
                                 "\" in moat.registryAccess";
  if (action == RegistryAction::kPull) {
    return not_allowed(key, file_remedy("setting \"pull\": true in " + entry_name));
  }
  return Decision::deny("registry.push-not-allowed", kSetting,
                        "pushing to " + key + " is not allowed",
                        file_remedy("setting \"push\": true in " + entry_name));
}

Decision judge_image_reference(std::string_view name, std::string_view tag, RegistryAction action,
                               const PolicyContext& context) {
  if (!registry_access_restricted(context)) return Decision::allow("registry.unrestricted");
  std::string_view text = name;
  // "docker pull -a" sends the name with a trailing ':'; the engine drops it.
  if (action == RegistryAction::kPull && text.ends_with(':')) text.remove_suffix(1);
  auto parsed = image::parse_image_ref(text);
  if (!parsed) {
    return invalid_reference("image reference " + in_quotes(text), parsed.error().message);
  }
  image::ImageRef ref = std::move(*parsed);
  if (!tag.empty()) {
    auto tagged = apply_tag(ref, tag, action);
    if (!tagged) {
      return invalid_reference("image reference " + in_quotes(text) + " with tag " + in_quotes(tag),
                               tagged.error());
    }
    ref = std::move(*tagged);
  }
  if (ref.registry().empty()) {
    return Decision::deny("registry.not-allowed", kSetting,
                          "registry access to an unnamed registry is not allowed: the engine "
                          "names no registry host in " +
                              in_quotes(ref.name()),
                          "");
  }
  return judge_registry_host(ref.registry(), action, context);
}

Decision judge_import_url(std::string_view url, const PolicyContext& context) {
  if (!registry_access_restricted(context)) return Decision::allow("registry.unrestricted");
  const auto host = url_host(url);
  if (!host) {
    return Decision::deny("image.import-url-invalid", kSetting,
                          "docker import from " + in_quotes(url) +
                              " is not allowed: while moat.registryAccess is on, only an "
                              "http:// or https:// URL with a plain host name can be checked",
                          "");
  }
  return judge_registry_host(*host, RegistryAction::kPull, context);
}

Decision judge_image_push(const ApiRequest& request, const PolicyContext& context) {
  // The endpoint pattern "images/+/push" guarantees at least three segments.
  std::string name;
  for (std::size_t i = 1; i + 1 < request.segments.size(); ++i) {
    if (!name.empty()) name += '/';
    name += request.segments[i];
  }
  std::string_view tag;
  for (const auto& [key, value] : request.query) {
    if (key == "tag") {
      tag = value;
      break;
    }
  }
  const Decision d = judge_image_reference(name, tag, RegistryAction::kPush, context);
  if (!d.allowed) return d;
  return Decision::allow("image.push");
}

Decision judge_egress(std::string_view host, std::uint16_t port, std::uint16_t default_port,
                      const PolicyContext& context) {
  if (!registry_access_restricted(context)) return Decision::allow("registry.unrestricted");
  const auto& list = access_list(context);
  if (!list.is_array()) {
    return setting_invalid();
  }
  const std::string host_text = host.find(':') != std::string_view::npos && !host.starts_with('[')
                                    ? "[" + std::string(host) + "]"
                                    : std::string(host);
  const std::string target = host_text + ":" + std::to_string(port);
  const std::string with_port = image::canonical_registry(target);
  const std::string without_port = image::canonical_registry(host_text);
  if (with_port.empty() || without_port.empty()) {
    return Decision::deny("egress.not-allowed", kSetting,
                          "the engine's connection to " + target + " is not allowed: the host is not one Moat can match",
                          "");
  }
  for (const auto& entry : list) {
    if (!entry.is_object() || !(flag(entry, "pull", true) || flag(entry, "push", false))) continue;
    if (names_target(address_of(entry), with_port, without_port, port == default_port)) {
      return Decision::allow("egress.allowed");
    }
    const auto aux = entry.find("auxiliaryHosts");
    if (aux == entry.end() || !aux->is_array()) continue;
    for (const auto& written : *aux) {
      if (written.is_string() && names_target(written.get<std::string>(), with_port, without_port, port == default_port)) {
        return Decision::allow("egress.allowed");
      }
    }
  }
  return Decision::deny("egress.not-allowed", kSetting,
                        "the engine's connection to " + target +
                            " is not allowed: it is neither a registry nor an auxiliary host in moat.registryAccess",
                        file_remedy("adding the host to the \"auxiliaryHosts\" of its registry's entry in "
                                    "moat.registryAccess"));
}

}  // namespace moat::core::policy

#include "core/policy/host_paths.h"

#include <optional>
#include <string_view>

namespace moat::core::policy {
namespace {

constexpr const char* kSharedSetting = "filesharingAllowedDirectories";

enum class Reach { kNone, kIs, kContains, kInside };

// Collapses repeated and trailing slashes; refuses what is not a clean
// absolute path.
std::optional<std::string> clean_absolute(const std::string& path) {
  if (path.empty() || path.front() != '/' || path.find('\0') != std::string::npos) {
    return std::nullopt;
  }
  std::string out;
  std::size_t pos = 0;
  while (pos < path.size()) {
    const std::size_t start = path.find_first_not_of('/', pos);
    if (start == std::string::npos) break;
    std::size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    const std::string_view component(path.data() + start, end - start);
    if (component == "." || component == "..") return std::nullopt;
    out += '/';
    out += component;
    pos = end;
  }
  return out.empty() ? "/" : out;
}

// "/a/b" -> {"/a/b", "/a", "/"}
std::vector<std::string> self_and_ancestors(const std::string& path) {
  std::vector<std::string> out{path};
  std::string current = path;
  while (current != "/") {
    const std::size_t slash = current.rfind('/');
    current = slash == 0 ? "/" : current.substr(0, slash);
    out.push_back(current);
  }
  return out;
}

Reach reach(const std::string& source, const std::string& target, const HostFilesystem& host) {
  if (source == target) return Reach::kIs;
  if (path_within(target, source)) return Reach::kContains;
  if (path_within(source, target)) return Reach::kInside;
  // Another route to the same objects: compare identities along both paths.
  if (const auto source_id = host.identity(source)) {
    for (const auto& ancestor : self_and_ancestors(target)) {
      if (host.identity(ancestor) == source_id) {
        return ancestor == target ? Reach::kIs : Reach::kContains;
      }
    }
  }
  if (const auto target_id = host.identity(target)) {
    for (const auto& ancestor : self_and_ancestors(source)) {
      if (host.identity(ancestor) == target_id) return Reach::kInside;
    }
  }
  return Reach::kNone;
}

std::string describe_reach(Reach r) {
  switch (r) {
    case Reach::kIs: return "it is";
    case Reach::kContains: return "it contains";
    case Reach::kInside: return "it is inside";
    case Reach::kNone: break;
  }
  return "it reaches";
}

std::string expand_share(const std::string& entry, const Caller& caller) {
  const auto expand = [&](const std::string& var, const std::string& value) -> std::string {
    if (entry == var) return value;
    if (entry.starts_with(var + "/")) return value + entry.substr(var.size());
    return {};
  };
  for (const char* var : {"$TMP", "$TEMP"}) {
    if (auto expanded = expand(var, "/tmp"); !expanded.empty()) return expanded;
  }
  if (entry == "$HOME" || entry.starts_with("$HOME/")) {
    return caller.home.empty() ? std::string() : expand("$HOME", caller.home);
  }
  return entry.starts_with("/") ? entry : std::string();
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += ", ";
    out += item;
  }
  return out;
}

}  // namespace

bool path_within(const std::string& path, const std::string& directory) {
  if (directory == "/") return path.starts_with("/");
  return path == directory ||
         (path.size() > directory.size() && path.starts_with(directory) &&
          path[directory.size()] == '/');
}

std::vector<std::string> shared_directories(const PolicyContext& context) {
  std::vector<std::string> out;
  const auto& entries = context.settings.value(kSharedSetting);
  if (!entries.is_array()) return out;  // fail closed: nothing shared
  for (const auto& entry : entries) {
    if (!entry.is_object() || !entry.contains("path") || !entry["path"].is_string()) continue;
    std::string expanded = expand_share(entry["path"].get<std::string>(), context.caller);
    if (const auto clean = clean_absolute(expanded)) out.push_back(*clean);
  }
  return out;
}

Decision judge_host_path(const std::string& source, const std::string& subject,
                         const PolicyContext& context) {
  const auto clean = clean_absolute(source);
  if (!clean) {
    return Decision::deny("bind.source-path", "",
                          subject + " is not allowed: a host path must be absolute, without "
                                    ". or .. components",
                          "");
  }
  const HostFilesystem& host = context.host();
  const auto resolved = host.resolve(*clean);
  if (!resolved) {
    return Decision::deny("bind.unresolvable", "",
                          subject + " is not allowed: " + resolved.error().message, "");
  }
  const std::string shown =
      *resolved == *clean ? subject : subject + " (resolves to " + *resolved + ")";

  for (const auto& protected_path : context.protected_paths) {
    const auto protected_clean = clean_absolute(protected_path.path);
    if (!protected_clean) continue;  // an unset path in the layout protects nothing
    const auto target = host.resolve(*protected_clean);
    const std::string target_path = target ? *target : *protected_clean;
    const Reach r = reach(*resolved, target_path, host);
    if (r != Reach::kNone) {
      return Decision::deny("bind.restricted-path", "",
                            shown + " is not allowed: " + describe_reach(r) + " " +
                                protected_path.description + " " + protected_path.path,
                            "");
    }
  }

  const auto shared = shared_directories(context);
  for (const auto& directory : shared) {
    const auto root = host.resolve(directory);
    if (root && path_within(*resolved, *root)) return Decision::allow("bind.shared-directory");
  }
  return Decision::deny(
      "bind.outside-shared-directories", kSharedSetting,
      shown + " is not allowed: it is outside the shared directories (" +
          (shared.empty() ? std::string("none are shared") : join(shared)) + ")",
      "An admin can share it by adding its directory to \"filesharingAllowedDirectories\" in "
      "admin-settings.json.");
}

}  // namespace moat::core::policy

#include "core/trust/manifest.h"

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

#include "core/audit/hash_chain.h"
#include "core/json/strict_json.h"

namespace moat::core::trust {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxManifestBytes = 1U << 20;
constexpr json::number_unsigned_t kMaxId = 0xfffffffeU;  // (uid_t)-1 means "no id"

std::optional<mode_t> parse_mode(const std::string& text) {
  if (text.size() != 4 || text[0] != '0') return std::nullopt;
  unsigned value = 0;
  for (const char c : text) {
    if (c < '0' || c > '7') return std::nullopt;
    value = value * 8U + static_cast<unsigned>(c - '0');
  }
  return static_cast<mode_t>(value);
}

bool has_exactly(const json& object, std::set<std::string> keys) {
  if (!object.is_object() || object.size() != keys.size()) return false;
  return std::all_of(object.items().begin(), object.items().end(),
                     [&keys](const auto& item) { return keys.contains(item.key()); });
}

Result<FileRecord> parse_record(const json& entry, const std::string& where) {
  if (!has_exactly(entry, {"role", "path", "sha256", "uid", "gid", "mode"})) {
    return fail(where + ": expected exactly role, path, sha256, uid, gid and mode");
  }
  FileRecord record;
  const auto& role = entry["role"];
  if (!role.is_string() || !is_known_role(role.get<std::string>())) {
    return fail(where + "/role: expected one of moatctl, moatd, moat-runc, runtime-wrapper, admin-settings");
  }
  record.role = role.get<std::string>();
  const auto& path = entry["path"];
  if (!path.is_string() || !path.get<std::string>().starts_with('/')) {
    return fail(where + "/path: expected an absolute path");
  }
  record.path = path.get<std::string>();
  const auto& sha = entry["sha256"];
  if (!sha.is_string() || !audit::is_sha256_hex(sha.get<std::string>())) {
    return fail(where + "/sha256: expected 64 lowercase hex digits");
  }
  record.sha256 = sha.get<std::string>();
  for (const char* key : {"uid", "gid"}) {
    const auto& id = entry[key];
    if (!id.is_number_unsigned() || id.get<json::number_unsigned_t>() > kMaxId) {
      return fail(where + "/" + key + ": expected a user or group id");
    }
  }
  record.uid = static_cast<uid_t>(entry["uid"].get<json::number_unsigned_t>());
  record.gid = static_cast<gid_t>(entry["gid"].get<json::number_unsigned_t>());
  const auto& mode = entry["mode"];
  const auto parsed_mode = mode.is_string() ? parse_mode(mode.get<std::string>()) : std::nullopt;
  if (!parsed_mode) return fail(where + "/mode: expected four octal digits starting with 0 (\"0755\")");
  record.mode = *parsed_mode;
  return record;
}

}  // namespace

const FileRecord* Manifest::find(std::string_view role) const {
  const auto it = std::find_if(files.begin(), files.end(), [role](const FileRecord& f) { return f.role == role; });
  return it == files.end() ? nullptr : &*it;
}

Result<Manifest> build_manifest(const ManifestSources& sources) {
  Manifest manifest{sources.created_at, sources.bin_dir, {}};
  for (const auto& role : binary_roles()) {
    auto record = observe_file(role, sources.bin_dir + "/" + role);
    if (!record) return fail(record.error().line() + "; cannot record Moat's " + role);
    manifest.files.push_back(std::move(record).value());
  }
  for (const auto& [role, path] : {std::pair<std::string, std::string>{kRuntimeWrapper, sources.runtime_wrapper},
                                   {kAdminSettings, sources.admin_settings}}) {
    if (path.empty()) continue;
    auto record = observe_file(role, path);
    if (record) {
      manifest.files.push_back(std::move(record).value());
    } else if (record.error().reason != "missing") {
      return fail(record.error().line());
    }
  }
  return manifest;
}

std::string serialize_manifest(const Manifest& manifest) {
  json files = json::array();
  for (const auto& f : manifest.files) {
    files.push_back({{"role", f.role},
                     {"path", f.path},
                     {"sha256", f.sha256},
                     {"uid", static_cast<json::number_unsigned_t>(f.uid)},
                     {"gid", static_cast<json::number_unsigned_t>(f.gid)},
                     {"mode", mode_text(f.mode)}});
  }
  const json doc = {{"version", kManifestVersion},
                    {"createdAt", manifest.created_at},
                    {"binDir", manifest.bin_dir},
                    {"files", std::move(files)}};
  return doc.dump(2) + "\n";
}

Result<Manifest> parse_manifest(std::string_view text) {
  const auto doc = core::json::parse_strict(text, {kMaxManifestBytes, 8});
  if (!doc) {
    return fail("manifest is not valid JSON at line " + std::to_string(doc.error().where.line) + ", column " +
                std::to_string(doc.error().where.column) + ": " + doc.error().message);
  }
  const auto& root = doc->value;
  if (!has_exactly(root, {"version", "createdAt", "binDir", "files"})) {
    return fail("manifest: expected exactly version, createdAt, binDir and files");
  }
  if (!root["version"].is_number_unsigned() || root["version"].get<json::number_unsigned_t>() != kManifestVersion) {
    return fail("manifest: version " + root["version"].dump() + " is not " + std::to_string(kManifestVersion) +
                "; write a new one with this moatctl");
  }
  if (!root["createdAt"].is_string()) return fail("manifest: createdAt: expected a string");
  if (!root["binDir"].is_string() || !root["binDir"].get<std::string>().starts_with('/')) {
    return fail("manifest: binDir: expected an absolute path");
  }
  if (!root["files"].is_array()) return fail("manifest: files: expected an array");
  Manifest manifest{root["createdAt"].get<std::string>(), root["binDir"].get<std::string>(), {}};
  std::set<std::string> seen;
  for (std::size_t i = 0; i < root["files"].size(); ++i) {
    auto record = parse_record(root["files"][i], "manifest: files/" + std::to_string(i));
    if (!record) return moat::unexpected(record.error());
    if (!seen.insert(record->role).second) {
      return fail("manifest: files/" + std::to_string(i) + "/role: " + record->role + " is recorded twice");
    }
    manifest.files.push_back(std::move(record).value());
  }
  for (const auto& role : binary_roles()) {
    if (manifest.find(role) == nullptr) return fail("manifest: files: no record of " + role);
  }
  return manifest;
}

std::vector<Difference> compare_manifest(const Manifest& manifest, bool only_binaries) {
  std::vector<Difference> out;
  for (const auto& f : manifest.files) {
    if (only_binaries && !is_binary_role(f.role)) continue;
    auto found = compare_file(f, f.path);
    out.insert(out.end(), found.begin(), found.end());
  }
  return out;
}

}  // namespace moat::core::trust

#pragma once
// The manifest of Moat's installed code: which files, with which content,
// owner and mode. Serialised as JSON with sorted keys so the same manifest
// always has the same bytes; the signature covers those bytes.
//
// {"binDir": "/usr/sbin", "createdAt": "2026-11-30T10:00:00.000Z",
//  "files": [{"gid": 0, "mode": "0755", "path": "/usr/sbin/moatctl",
//             "role": "moatctl", "sha256": "…", "uid": 0}, …],
//  "version": 1}

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result/result.h"
#include "core/trust/file_record.h"

namespace moat::core::trust {

inline constexpr int kManifestVersion = 1;

struct Manifest {
  std::string created_at;  // RFC 3339, informational
  std::string bin_dir;     // where moatctl, moatd and moat-runc were recorded
  std::vector<FileRecord> files;

  const FileRecord* find(std::string_view role) const;
};

// What goes into a manifest. The binaries must exist; the wrapper and the
// settings file are recorded when they exist.
struct ManifestSources {
  std::string bin_dir;
  std::string runtime_wrapper;  // empty: none
  std::string admin_settings;   // empty: none
  std::string created_at;
};

Result<Manifest> build_manifest(const ManifestSources& sources);

std::string serialize_manifest(const Manifest& manifest);

// Strict: the exact shape serialize_manifest writes (version, keys, types,
// known roles at most once each, absolute paths, lowercase hex digests).
Result<Manifest> parse_manifest(std::string_view text);

// Every difference between the recorded files and the disk, in manifest
// order. With only_binaries, just Moat's executables.
std::vector<Difference> compare_manifest(const Manifest& manifest, bool only_binaries = false);

}  // namespace moat::core::trust

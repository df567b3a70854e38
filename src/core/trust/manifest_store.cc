#include "core/trust/manifest_store.h"

#include "core/trust/detached_signature.h"
#include "core/trust/trust_files.h"

namespace moat::core::trust {
namespace {

constexpr std::size_t kMaxManifestBytes = 1U << 20;
constexpr std::size_t kMaxSignatureBytes = 4096;

// read_optional_file's errors start with the path; a Difference carries it apart.
Difference unreadable(const std::string& path, const std::string& message) {
  const std::string prefix = path + ": ";
  return {path, message.starts_with(prefix) ? message.substr(prefix.size()) : message};
}

}  // namespace

std::string manifest_path(const stack::Layout& layout) { return layout.lib_dir + "/manifest.json"; }

std::string stack_public_key_path(const stack::Layout& layout) {
  return audit::public_key_path_for(layout.audit_key()).string();
}

Result<void> write_signed_manifest(const std::string& manifest_file, const Manifest& manifest,
                                   const audit::SigningKey& key) {
  const std::string text = serialize_manifest(manifest);
  const auto signature = key.sign(text);
  if (!signature) return fail("signing " + manifest_file + ": " + signature.error().message);
  if (auto r = write_file_atomically(manifest_file, text, 0644, Ownership{0, 0}); !r) return r;
  return write_file_atomically(signature_path_for(manifest_file), encode_signature(*signature), 0644,
                               Ownership{0, 0});
}

Result<std::optional<Manifest>, Difference> load_verified_manifest(const std::string& manifest_file,
                                                                   const audit::VerifyKey& key) {
  const std::string sig_file = signature_path_for(manifest_file);
  const auto text = read_optional_file(manifest_file, kMaxManifestBytes);
  if (!text) return moat::unexpected(unreadable(manifest_file, text.error().message));
  const auto sig = read_optional_file(sig_file, kMaxSignatureBytes);
  if (!sig) return moat::unexpected(unreadable(sig_file, sig.error().message));
  if (!*text && !*sig) return std::optional<Manifest>{};
  if (!*text) return moat::unexpected(Difference{manifest_file, "missing (its signature " + sig_file + " is there)"});
  if (!*sig) return moat::unexpected(Difference{manifest_file, "no signature " + sig_file + "; the manifest is not trusted"});
  if (!verify_detached(key, **text, **sig)) {
    return moat::unexpected(Difference{manifest_file, "signature does not verify with the stack's key"});
  }
  auto manifest = parse_manifest(**text);
  if (!manifest) return moat::unexpected(Difference{manifest_file, manifest.error().message});
  return std::optional<Manifest>(std::move(manifest).value());
}

}  // namespace moat::core::trust

#include "core/trust/settings_signature.h"

#include "core/audit/signing_key.h"
#include "core/settings/file_trust.h"
#include "core/trust/detached_signature.h"
#include "core/trust/trust_files.h"

namespace moat::core::trust {
namespace {

// The settings parser's own limit, so a file it would read is never too big here.
constexpr std::size_t kMaxSettingsBytes = 1U << 20;
constexpr std::size_t kMaxSignatureBytes = 4096;

bool is_installed_layout(const stack::Layout& layout) {
  return layout.run_dir == "/run/moat" && layout.lib_dir == "/var/lib/moat";
}

// "KEY: the pinned settings key cannot be used: WHY", where the lower layers'
// messages already start with the key's path.
Unexpected<Error> unusable_key(const std::string& key, const std::string& message) {
  const std::string prefix = key + ": ";
  return fail(prefix + "the pinned settings key cannot be used: " +
              (message.starts_with(prefix) ? message.substr(prefix.size()) : message));
}

}  // namespace

std::string pinned_settings_key_path(const stack::Layout& layout) {
  // A --root stack keeps everything, run and lib, under its one root.
  return is_installed_layout(layout) ? std::string(kInstalledSettingsKey)
                                     : layout.lib_dir + "/settings-signing-key.pub";
}

Result<void> check_settings_signature(const std::string& settings_file, const std::string& pinned_key) {
  const auto key_present = read_optional_file(pinned_key, kMaxSignatureBytes * 4);
  if (!key_present) {
    return unusable_key(pinned_key, key_present.error().message);
  }
  if (!*key_present) return {};
  // The key decides what is genuine, so it gets the same trust rules as the settings.
  const auto key_text = settings::read_trusted_file(pinned_key);
  if (!key_text) return unusable_key(pinned_key, key_text.error().message);
  const auto key = audit::VerifyKey::from_pem(*key_text);
  if (!key) return unusable_key(pinned_key, key.error().message);

  const auto settings = read_optional_file(settings_file, kMaxSettingsBytes);
  if (!settings) return fail(settings.error().message);
  if (!*settings) return {};
  const std::string sig_file = signature_path_for(settings_file);
  const auto signature = read_optional_file(sig_file, kMaxSignatureBytes);
  if (!signature) return fail(signature.error().message);
  if (!*signature) {
    return fail(settings_file + ": no signature " + sig_file + ", and settings must be signed (pinned key " +
                pinned_key + ")");
  }
  if (!verify_detached(*key, **settings, **signature)) {
    return fail(settings_file + ": signature " + sig_file + " does not verify with the pinned key " + pinned_key);
  }
  return {};
}

Result<void> check_settings_signature(const stack::Layout& layout) {
  return check_settings_signature(layout.admin_settings, pinned_settings_key_path(layout));
}

Result<std::string> sign_settings_file(const std::string& file, const std::string& private_key_pem) {
  const auto key = audit::SigningKey::load(private_key_pem);
  if (!key) return fail(key.error().message);
  const auto content = read_optional_file(file, kMaxSettingsBytes);
  if (!content) return fail(content.error().message);
  if (!*content) return fail(file + ": missing");
  const auto signature = key->sign(**content);
  if (!signature) return fail("signing " + file + ": " + signature.error().message);
  const std::string sig_file = signature_path_for(file);
  if (auto written = write_file_atomically(sig_file, encode_signature(*signature), 0644); !written) {
    return moat::unexpected(written.error());
  }
  return sig_file;
}

}  // namespace moat::core::trust

// `moatctl manifest write` and `moatctl settings sign`: the two commands that
// produce signatures.
#include <unistd.h>

#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "cli/stack_processes.h"
#include "cli/stack_record.h"
#include "cli/verify_commands.h"
#include "core/audit/signing_key.h"
#include "core/settings/settings_state.h"
#include "core/trust/manifest_store.h"
#include "core/trust/settings_signature.h"

namespace moat::cli {

int run_manifest_write(const StackOptions& options, const std::string& bin_dir_option) {
  if (::geteuid() != 0) {
    std::cerr << "moatctl manifest write: must run as root: it signs with the stack's key\n";
    return 1;
  }
  auto layout = core::stack::make_layout(options.root, options.admin_settings);
  // Without --admin-settings, the file the running stack was started with.
  if (options.admin_settings.empty()) {
    const auto record = read_stack_record(layout);
    if (!record) {
      // Guessing the default file could sign a manifest for settings the
      // stack does not run with.
      std::cerr << "moatctl manifest write: " << record.error().message
                << "; name the stack's settings file with --admin-settings\n";
      return 1;
    }
    if (*record && !(*record)->admin_settings.empty()) layout.admin_settings = (*record)->admin_settings;
  }
  std::error_code ec;
  const std::string bin_dir =
      bin_dir_option.empty() ? running_bin_dir() : std::filesystem::absolute(bin_dir_option, ec).lexically_normal().string();
  const auto settings = core::settings::load_settings_state(
      layout.admin_settings, layout.user_settings(), layout.admin_settings == core::stack::kDefaultAdminSettings);
  if (!settings) {
    std::cout << "moatctl manifest write: the settings cannot be loaded, so the engine's runc wrapper is "
                 "recorded as found on disk\n";
  }
  if (auto prepared = prepare_directories(layout); !prepared) {
    std::cerr << "moatctl manifest write: " << prepared.error().message << "\n";
    return 1;
  }
  const auto manifest = describe_installed_code(layout, bin_dir, settings ? &*settings : nullptr);
  if (!manifest) {
    std::cerr << "moatctl manifest write: " << manifest.error().message << "\n";
    return 1;
  }
  const auto key = core::audit::SigningKey::load(layout.audit_key());
  if (!key) {
    std::cerr << "moatctl manifest write: loading the stack's signing key: " << key.error().message << "\n";
    return 1;
  }
  const std::string file = core::trust::manifest_path(layout);
  if (auto written = core::trust::write_signed_manifest(file, *manifest, *key); !written) {
    std::cerr << "moatctl manifest write: " << written.error().message << "\n";
    return 1;
  }
  for (const auto& f : manifest->files) {
    std::cout << "  " << f.path << "  sha256 " << f.sha256 << "  " << f.uid << ":" << f.gid << " "
              << core::trust::mode_text(f.mode) << "\n";
  }
  std::cout << "moatctl manifest write: signed " << file << " (" << manifest->files.size() << " files)\n";
  return 0;
}

int run_settings_sign(const std::string& private_key, const std::string& file) {
  const auto signature = core::trust::sign_settings_file(file, private_key);
  if (!signature) {
    std::cerr << "moatctl settings sign: " << signature.error().message << "\n";
    return 1;
  }
  std::cout << "moatctl settings sign: wrote " << *signature << "\n";
  return 0;
}

}  // namespace moat::cli

#include "cli/verify_commands.h"

#include <unistd.h>

#include <filesystem>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/stack_probe.h"
#include "cli/stack_processes.h"
#include "cli/stack_record.h"
#include "core/audit/signing_key.h"
#include "core/trust/manifest_store.h"

namespace moat::cli {
namespace {

namespace fs = std::filesystem;
using core::trust::Difference;
using core::trust::FileRecord;
using core::trust::Manifest;

constexpr const char* kRefusal =
    "moatctl up: refusing to start: installed code does not match the signed manifest "
    "(setting moat.verifyInstalledCode); run `moatctl verify` for details";

bool same_file_path(const std::string& a, const std::string& b) {
  std::error_code ea;
  std::error_code eb;
  const auto ca = fs::weakly_canonical(a, ea);
  const auto cb = fs::weakly_canonical(b, eb);
  return !ea && !eb && ca == cb;
}

Result<Manifest, Difference> load_stack_manifest(const core::stack::Layout& layout) {
  const std::string manifest_file = core::trust::manifest_path(layout);
  const std::string key_file = core::trust::stack_public_key_path(layout);
  const auto key = core::audit::VerifyKey::load(key_file);
  if (!key) {
    return moat::unexpected(Difference{manifest_file, "cannot be checked: the stack's key is not usable: " +
                                                          key.error().message});
  }
  auto manifest = core::trust::load_verified_manifest(manifest_file, *key);
  if (!manifest) return moat::unexpected(std::move(manifest).error());
  if (!*manifest) {
    return moat::unexpected(Difference{manifest_file, "missing; `moatctl manifest write` records Moat's installed code"});
  }
  return std::move(**manifest);
}

Result<void> write_first_manifest(const core::stack::Layout& layout, const core::settings::SettingsState& settings,
                                  const std::string& bin_dir) {
  // The stack's signing key is made with its directories.
  if (auto prepared = prepare_directories(layout); !prepared) return prepared;
  const auto manifest = describe_installed_code(layout, bin_dir, &settings);
  if (!manifest) return unexpected(manifest.error());
  const auto key = core::audit::SigningKey::load(layout.audit_key());
  if (!key) return fail("loading the stack's signing key: " + key.error().message);
  const std::string file = core::trust::manifest_path(layout);
  if (auto written = core::trust::write_signed_manifest(file, *manifest, *key); !written) return written;
  std::cout << "moatctl up: first start: recorded Moat's installed code (" << manifest->files.size()
            << " files) in the signed manifest " << file << "\n";
  return {};
}

}  // namespace

std::string running_bin_dir() {
  std::error_code ec;
  return fs::read_symlink("/proc/self/exe", ec).parent_path().string();
}

Result<Manifest> describe_installed_code(const core::stack::Layout& layout, const std::string& bin_dir,
                                         const core::settings::SettingsState* settings) {
  core::trust::ManifestSources sources{bin_dir, "", layout.admin_settings, now_rfc3339()};
  if (!settings) sources.runtime_wrapper = runtime_wrapper_path(layout);
  auto manifest = core::trust::build_manifest(sources);
  if (!manifest || !settings) return manifest;
  if (settings->effective().value("enhancedContainerIsolation").get<bool>()) {
    const std::string text = runtime_wrapper_text(layout);
    // Inserted before the settings file, where build_manifest puts it.
    const auto at = manifest->files.begin() + static_cast<std::ptrdiff_t>(core::trust::binary_roles().size());
    manifest->files.insert(at, FileRecord{core::trust::kRuntimeWrapper, runtime_wrapper_path(layout),
                                          core::trust::sha256_hex(text), 0, 0, 0755});
  }
  return manifest;
}

Result<void> check_installed_code(const core::stack::Layout& layout, const core::settings::SettingsState& settings,
                                  const CodeCheckOptions& options) {
  const std::string bin_dir = options.bin_dir.empty() ? running_bin_dir() : options.bin_dir;
  const auto effective = settings.effective();  // a value: the reference below points into it
  const auto& setting = effective.all().at("moat.verifyInstalledCode");
  if (!setting.value.get<bool>()) {
    std::cout << "moatctl up: not checking installed code: moat.verifyInstalledCode is off (set by "
              << core::settings::to_string(setting.source) << ")\n";
    return {};
  }
  const std::string manifest_file = core::trust::manifest_path(layout);
  const auto present = [](const std::string& path) {
    std::error_code ec;
    return fs::exists(fs::symlink_status(path, ec));
  };
  if (!present(manifest_file) && !present(manifest_file + ".sig")) {
    return write_first_manifest(layout, settings, bin_dir);
  }
  std::vector<Difference> differences;
  const auto manifest = load_stack_manifest(layout);
  if (!manifest) {
    differences.push_back(manifest.error());
  } else {
    differences = core::trust::compare_manifest(*manifest, true);
    // The binaries up starts are the ones beside this moatctl; they must be
    // the recorded ones even when the manifest names another directory.
    for (const auto& role : core::trust::binary_roles()) {
      const FileRecord* recorded = manifest->find(role);
      const std::string running = bin_dir + "/" + role;
      if (same_file_path(running, recorded->path)) continue;
      const auto found = core::trust::compare_file(*recorded, running);
      differences.insert(differences.end(), found.begin(), found.end());
    }
  }
  if (differences.empty()) return {};
  std::string message;
  for (const auto& d : differences) message += d.line() + "\n";
  return fail(message + kRefusal);
}

int run_verify(const StackOptions& options, bool as_json) {
  if (::geteuid() != 0) {
    std::cerr << "moatctl verify: must run as root: the stack's key and manifest are root's\n";
    return 1;
  }
  const auto layout = core::stack::make_layout(options.root, options.admin_settings);
  const std::string manifest_file = core::trust::manifest_path(layout);
  const auto manifest = load_stack_manifest(layout);
  std::vector<Difference> differences;
  std::size_t checked = 0;
  if (!manifest) {
    differences.push_back(manifest.error());
  } else {
    checked = manifest->files.size();
    differences = core::trust::compare_manifest(*manifest);
    const std::string wrapper = runtime_wrapper_path(layout);
    std::error_code ec;
    if (manifest->find(core::trust::kRuntimeWrapper) == nullptr && fs::exists(fs::symlink_status(wrapper, ec))) {
      differences.push_back({wrapper, "present but not in the signed manifest; `moatctl manifest write` records it"});
    }
  }
  std::string summary;
  if (!manifest) {
    summary = "moatctl verify: the manifest is not trusted; no file was checked";
  } else if (differences.empty()) {
    summary = "moatctl verify: all " + std::to_string(checked) + " files match the signed manifest " + manifest_file;
  } else {
    summary = "moatctl verify: " + std::to_string(differences.size()) + " difference" +
              (differences.size() == 1 ? "" : "s") + " in " + std::to_string(checked) +
              " files recorded in the signed manifest " + manifest_file;
  }
  if (as_json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& d : differences) list.push_back({{"path", d.path}, {"reason", d.reason}});
    const nlohmann::json doc = {{"manifest", manifest_file},
                                {"trusted", manifest.has_value()},
                                {"checked", checked},
                                {"ok", differences.empty()},
                                {"differences", std::move(list)},
                                {"summary", summary}};
    std::cout << doc.dump(2) << "\n";
  } else {
    for (const auto& d : differences) std::cout << d.line() << "\n";
    std::cout << summary << "\n";
  }
  return differences.empty() ? 0 : 1;
}

}  // namespace moat::cli

#pragma once
// Verification of Moat's installed code against the stack's signed manifest,
// as `moatctl up` needs it before it starts anything.

#include <string>

#include "core/result/result.h"
#include "core/settings/settings_state.h"
#include "core/stack/layout.h"
#include "core/trust/manifest.h"

namespace moat::cli {

struct CodeCheckOptions {
  std::string bin_dir;  // the binaries up will run; empty: the running moatctl's directory
};

// Called by `moatctl up` once the settings are loaded. With
// moat.verifyInstalledCode off it only says so. Without a manifest (the first
// start: installation) it writes and signs one and says so. Otherwise it
// refuses unless the manifest's signature verifies with the stack's key, the
// recorded binaries match, and the binaries up will run are the recorded
// ones; the error's message holds one line per difference and then
//   moatctl up: refusing to start: installed code does not match the signed
//   manifest (setting moat.verifyInstalledCode); run `moatctl verify` for details
Result<void> check_installed_code(const core::stack::Layout& layout,
                                  const core::settings::SettingsState& settings,
                                  const CodeCheckOptions& options = {});

// The directory of the running executable (/proc/self/exe).
std::string running_bin_dir();

// The manifest of what this stack runs: the three binaries in `bin_dir`, the
// engine's runc wrapper as `moatctl up` writes it when Enhanced Container
// Isolation is on in `settings` (or as found on disk without settings), and
// the admin settings file if present.
Result<core::trust::Manifest> describe_installed_code(const core::stack::Layout& layout, const std::string& bin_dir,
                                                      const core::settings::SettingsState* settings);

}  // namespace moat::cli

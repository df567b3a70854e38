#pragma once
// Which dockerd options an admin may pass through linuxVM.dockerDaemonOptions.
// Moat owns every option that decides where the engine listens, where its
// state lives, which runtime runs containers, or that would otherwise let a
// container or a developer around Moat; those are refused with the reason.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace moat::core::settings {

// One message per refused option, in the options' order; empty when all pass.
std::vector<std::string> check_daemon_options(const nlohmann::json& options);

}  // namespace moat::core::settings

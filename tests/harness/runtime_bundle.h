#pragma once
// The pieces of a bundle for tests that run moat-runc by hand, with the real
// runc, outside any engine. Each throws std::runtime_error when the step
// fails, which fails the test that called it.

#include <initializer_list>
#include <string>

#include <nlohmann/json.hpp>

namespace moat::testing {

// busybox in DIR/bin, with a link for each of `commands`.
void install_busybox(const std::string& dir, std::initializer_list<const char*> commands);

// runc's default config for the bundle, without a terminal (moat-runc runs
// with no console); the caller edits it and writes it to BUNDLE/config.json.
nlohmann::json runc_default_config(const std::string& bundle);

// STATE/protected-paths.json, as `moatctl up` writes it for moat-runc:
// BASE/protected and BASE/engine-data stand for the host's protected paths.
void write_protected_paths(const std::string& state_dir, const std::string& base);

}  // namespace moat::testing

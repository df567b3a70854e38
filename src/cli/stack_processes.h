#pragma once
// Starting and stopping the engine and the guard of one stack, and clearing
// what a crashed engine left behind.

#include <string>

#include "cli/stack_record.h"
#include "core/result/result.h"
#include "core/settings/settings_state.h"
#include "core/stack/layout.h"

namespace moat::cli {

// Creates the stack's directories with their modes and checks that nobody
// but root can write them.
Result<void> prepare_directories(const core::stack::Layout& layout);

// The engine's runc when ECI is on: a script that runs moat-runc (beside
// moatctl) with the stack's runtime state. One text, written by `up` and
// recorded in the signed manifest.
std::string runtime_wrapper_path(const core::stack::Layout& layout);
std::string runtime_wrapper_text(const core::stack::Layout& layout);

// A free TCP port on 127.0.0.1 for moatd's egress filter.
Result<int> free_loopback_port();

// Starts dockerd with the configuration derived from `settings` and waits
// until its socket answers. Fills record.dockerd, runtime and ECI fields;
// while moat.registryAccess is on, its proxy is moatd's egress filter on
// record.egress_port.
Result<void> start_engine(const core::stack::Layout& layout,
                          const core::settings::SettingsState& settings, StackRecord& record);

// Starts moatd and waits until its control socket answers.
Result<void> start_guard(const core::stack::Layout& layout, const std::string& root_option,
                         StackRecord& record);

// The recorded dockerd or moatd if that very process still runs, else 0: a
// pid alone may name another process by now (after a reboot, or in a stale
// record), so the program must be the recorded one and, when the record has
// it, so must the start time. Only such a pid is signalled or called running.
pid_t recorded_engine(const StackRecord& record);
pid_t recorded_guard(const StackRecord& record);

// Stops the stack's processes (recorded or found) and removes its mounts.
// Returns what could not be cleared.
Result<void> stop_stack(const core::stack::Layout& layout);

// Engine-side processes (dockerd, containerd, shims, runtimes, moatd) that
// still belong to this stack.
std::vector<pid_t> stack_processes(const core::stack::Layout& layout);

}  // namespace moat::cli

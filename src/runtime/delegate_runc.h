#pragma once
// Handing the low-level work to the system's runc, always by absolute path
// (never through PATH, which the caller controls), with runc's global
// options and arguments exactly as moat-runc received them minus its own.

#include <string>
#include <vector>

#include "core/result/result.h"

namespace moat::runtime {

inline constexpr const char* kSystemRunc = "/usr/sbin/runc";

// Replaces this process with runc; returns only if that failed.
Error exec_runc(const std::string& runc_path, const std::vector<std::string>& args);

// Runs runc as a child sharing stdio and waits; the result is its exit
// status, or 128 + signal number if it was killed. The child is killed if
// moat-runc dies first.
Result<int> run_runc(const std::string& runc_path, const std::vector<std::string>& args);

}  // namespace moat::runtime

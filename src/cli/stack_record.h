#pragma once
// What `moatctl up` started, so `down` and `status` act on exactly that.

#include <sys/types.h>

#include <optional>
#include <string>

#include "core/stack/layout.h"

namespace moat::cli {

struct StackRecord {
  pid_t dockerd = 0;
  pid_t moatd = 0;
  std::string admin_settings;
  std::string started_at;  // RFC 3339
  std::string runtime;     // the OCI runtime the engine was configured with
  bool eci_active = false;
  std::string eci_note;
  // moatd's egress filter on 127.0.0.1, the engine's proxy while
  // moat.registryAccess is on; kept across restarts of either process.
  int egress_port = 0;
};

std::optional<StackRecord> read_stack_record(const core::stack::Layout& layout);
bool write_stack_record(const core::stack::Layout& layout, const StackRecord& record);

// Paths of the programs a stack runs: dockerd from Debian's docker.io, and
// Moat's own executables next to moatctl.
std::string dockerd_path();
std::string sibling_executable(const std::string& name);

}  // namespace moat::cli

#pragma once
// What moat-runc reads of runc's own state (<runc root>/<id>/state.json):
// the container's init process, named by pid and start time so that a
// reused pid is never taken for it.

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "core/result/result.h"

namespace moat::runtime {

struct InitProcess {
  pid_t pid = 0;
  std::uint64_t start_time = 0;  // clock ticks after boot, as /proc/PID/stat field 22
};

Result<InitProcess> read_init_process(const std::string& runc_root, const std::string& id);

// True only when runc's state names an init that has exited: a zombie, no
// process with its pid, or one that started at another time. Anything
// unreadable counts as not ended.
bool init_has_ended(const std::string& runc_root, const std::string& id);

}  // namespace moat::runtime

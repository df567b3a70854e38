#include "core/sys/mounts.h"

#include <sys/mount.h>

#include <cerrno>
#include <cstring>

#include "core/sys/mountinfo.h"

namespace moat::core::sys {

std::vector<std::string> mounts_under(const std::string& root) {
  const auto text = read_self_mountinfo();
  if (!text) return {};
  return mounts_under(parse_mountinfo(*text), root);
}

Result<void> unmount_all_under(const std::string& root) {
  for (const auto& point : mounts_under(root)) ::umount2(point.c_str(), MNT_DETACH);
  const auto left = mounts_under(root);
  if (!left.empty()) return fail("still mounted: " + left.front() + ": " + std::strerror(errno));
  return {};
}

}  // namespace moat::core::sys

#include "core/sys/mounts.h"

#include <sys/mount.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace moat::core::sys {
namespace {

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 3), nullptr, 8));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace

std::vector<std::string> mounts_under(const std::string& root) {
  std::vector<std::string> found;
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, devices, source_root, mount_point;
    fields >> id >> parent >> devices >> source_root >> mount_point;
    const std::string point = unescape(mount_point);
    if (point == root || point.starts_with(root + "/")) found.push_back(point);
  }
  std::sort(found.begin(), found.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  return found;
}

Result<void> unmount_all_under(const std::string& root) {
  for (const auto& point : mounts_under(root)) ::umount2(point.c_str(), MNT_DETACH);
  const auto left = mounts_under(root);
  if (!left.empty()) return fail("still mounted: " + left.front() + ": " + std::strerror(errno));
  return {};
}

}  // namespace moat::core::sys

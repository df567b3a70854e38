#include "core/policy/working_directory.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace moat::core::policy {
namespace {

// "/proc/./self//fd/../fd/7" -> {"proc", "self", "fd", "7"}
std::vector<std::string_view> lexical_components(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  while (pos <= path.size()) {
    const std::size_t end = std::min(path.find('/', pos), path.size());
    const std::string_view part = path.substr(pos, end - pos);
    if (part == "..") {
      if (!out.empty()) out.pop_back();
    } else if (!part.empty() && part != ".") {
      out.push_back(part);
    }
    pos = end + 1;
  }
  return out;
}

bool is_process_directory(std::string_view name) {
  return name == "self" || name == "thread-self" ||
         (!name.empty() && std::all_of(name.begin(), name.end(),
                                       [](char c) { return c >= '0' && c <= '9'; }));
}

}  // namespace

bool is_process_directory_path(std::string_view path) {
  const auto parts = lexical_components(path);
  return parts.size() >= 2 && parts[0] == "proc" && is_process_directory(parts[1]);
}

Decision judge_working_directory(const Fields& fields) {
  const auto dir = fields.string("WorkingDir");
  if (!dir) return dir.error();
  if (is_process_directory_path(*dir)) {
    return Decision::deny("container.working-dir", "",
                          "working directory " + *dir +
                              " is not allowed: a directory inside /proc/self, /proc/thread-self "
                              "or /proc/<pid> can reach host files through leaked descriptors "
                              "(CVE-2024-21626)",
                          "");
  }
  return Decision::allow("container.working-dir");
}

}  // namespace moat::core::policy

#include "harness/host_paths.h"

#include <sys/stat.h>

namespace moat::testing {

bool host_path_exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

}  // namespace moat::testing

#pragma once
// The one temporary directory helper of the tests, so every test cleans up the
// same way, including trees it left read-only to provoke an error.

#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

namespace moat::testing_support {

// <temp_directory_path>/<prefix>-XXXXXX, made by mkdtemp (so mode 0700 and the
// test's own), removed with everything in it when the object goes.
class TempDir {
 public:
  explicit TempDir(std::string_view prefix = "moat-test") {
    const std::string pattern = (std::filesystem::temp_directory_path() / (std::string(prefix) + "-XXXXXX")).string();
    std::string made = pattern;
    if (::mkdtemp(made.data()) == nullptr) {
      throw std::runtime_error("cannot create a temporary directory " + pattern + ": " + std::strerror(errno));
    }
    // Canonical, so it compares equal to the paths the code under test
    // resolves when the temporary directory is reached through a link.
    path_ = std::filesystem::canonical(made);
  }
  ~TempDir() {
    restore_owner_access();
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }
  // A leading '/' would make the name replace the whole path and point the
  // test outside its directory, so names are always taken as relative.
  std::filesystem::path operator/(std::string_view name) const {
    return path_ / std::filesystem::path(name).relative_path();
  }

 private:
  // Without write and search rights on a directory its entries cannot be
  // removed (root aside), and remove_all would fail quietly and leave the tree
  // behind. Files need nothing: unlinking is a right on their directory. Links
  // are not followed, as chmod would change their targets, which may be
  // anywhere.
  void restore_owner_access() const noexcept {
    namespace fs = std::filesystem;
    std::error_code ignored;
    fs::permissions(path_, fs::perms::owner_all, fs::perm_options::add, ignored);
    std::error_code walk;
    for (fs::recursive_directory_iterator it(path_, fs::directory_options::skip_permission_denied, walk), end;
         !walk && it != end; it.increment(walk)) {
      if (it->symlink_status(ignored).type() == fs::file_type::directory) {
        fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add, ignored);
      }
    }
  }

  std::filesystem::path path_;
};

}  // namespace moat::testing_support

#include "core/policy/host_filesystem.h"

#include <sys/stat.h>

#include <filesystem>
#include <system_error>

namespace moat::core::policy {
namespace {

class RealHostFilesystem final : public HostFilesystem {
 public:
  Result<std::string> resolve(const std::string& path) const override {
    std::error_code ec;
    const auto resolved = std::filesystem::weakly_canonical(path, ec);
    if (ec) return fail("cannot resolve " + path + ": " + ec.message());
    return resolved.string();
  }

  std::optional<FileId> identity(const std::string& path) const override {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return std::nullopt;
    return FileId{st.st_dev, st.st_ino};
  }
};

}  // namespace

const HostFilesystem& real_host_filesystem() {
  static const RealHostFilesystem filesystem;
  return filesystem;
}

}  // namespace moat::core::policy

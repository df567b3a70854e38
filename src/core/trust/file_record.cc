#include "core/trust/file_record.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <span>

#include <openssl/evp.h>

#include "core/audit/hash_chain.h"
#include "core/audit/hex.h"
#include "core/audit/unique_fd.h"

namespace moat::core::trust {
namespace {

struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

// SHA-256 of everything readable from fd, or nullopt with errno set.
std::optional<std::string> sha256_of(int fd) {
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) {
    errno = ENOMEM;
    return std::nullopt;
  }
  std::array<char, 65536> buffer{};
  for (;;) {
    const ssize_t got = ::read(fd, buffer.data(), buffer.size());
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return std::nullopt;
    if (got == 0) break;
    if (EVP_DigestUpdate(ctx.get(), buffer.data(), static_cast<std::size_t>(got)) != 1) {
      errno = EIO;
      return std::nullopt;
    }
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (EVP_DigestFinal_ex(ctx.get(), digest.data(), &size) != 1) {
    errno = EIO;
    return std::nullopt;
  }
  return audit::lower_hex(std::span<const unsigned char>(digest.data(), size));
}

}  // namespace

std::string sha256_hex(std::string_view bytes) { return audit::sha256_hex(bytes); }

const std::vector<std::string>& binary_roles() {
  static const std::vector<std::string> roles = {kMoatctl, kMoatd, kMoatRunc};
  return roles;
}

bool is_binary_role(const std::string& role) {
  return std::find(binary_roles().begin(), binary_roles().end(), role) != binary_roles().end();
}

bool is_known_role(const std::string& role) {
  return is_binary_role(role) || role == kRuntimeWrapper || role == kAdminSettings;
}

std::string mode_text(mode_t mode) {
  std::array<char, 16> text{};
  std::snprintf(text.data(), text.size(), "%04o", static_cast<unsigned>(mode & 07777U));
  return text.data();
}

Result<FileRecord, Difference> observe_file(const std::string& role, const std::string& path) {
  const auto problem = [&path](std::string reason) { return moat::unexpected(Difference{path, std::move(reason)}); };
  // O_NONBLOCK: a FIFO planted at the path must not hang the check.
  audit::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (!fd.valid()) {
    if (errno == ENOENT || errno == ENOTDIR) return problem("missing");
    return problem(std::string("cannot be read: ") + std::strerror(errno));
  }
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) return problem(std::string("cannot be read: ") + std::strerror(errno));
  if (!S_ISREG(info.st_mode)) return problem("not a regular file");
  const auto digest = sha256_of(fd.get());
  if (!digest) return problem(std::string("cannot be read: ") + std::strerror(errno));
  return FileRecord{role, path, *digest, info.st_uid, info.st_gid, static_cast<mode_t>(info.st_mode & 07777U)};
}

std::vector<Difference> compare_file(const FileRecord& expected, const std::string& path) {
  const auto actual = observe_file(expected.role, path);
  if (!actual) return {actual.error()};
  std::vector<Difference> out;
  if (actual->sha256 != expected.sha256) {
    out.push_back({path, "content changed (sha256 " + actual->sha256 + " expected " + expected.sha256 + ")"});
  }
  if (actual->uid != expected.uid) {
    out.push_back({path, "owner uid " + std::to_string(actual->uid) + ", expected " + std::to_string(expected.uid)});
  }
  if (actual->gid != expected.gid) {
    out.push_back({path, "group gid " + std::to_string(actual->gid) + ", expected " + std::to_string(expected.gid)});
  }
  if (actual->mode != expected.mode) {
    out.push_back({path, "mode " + mode_text(actual->mode) + ", expected " + mode_text(expected.mode)});
  }
  return out;
}

}  // namespace moat::core::trust

#include "core/trust/owner_seal.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <utility>

#include "core/audit/hex.h"

namespace moat::core::trust {
namespace {

constexpr std::size_t kSealBytes = 16;
constexpr std::size_t kSealHexDigits = 2 * kSealBytes;
// (uid_t)-1: "no id" to chown(2), and no id map may contain it.
constexpr std::uint32_t kNoId = 0xffffffff;

std::string errno_text(int err) { return std::strerror(err); }

// A decimal id as label_for writes it: no sign, no leading zero, in range.
bool parse_id(std::string_view text, std::uint32_t& id) {
  if (text.empty() || (text.size() > 1 && text[0] == '0')) return false;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
  return error == std::errc() && end == text.data() + text.size();
}

bool is_seal(std::string_view text) {
  if (text.size() != kSealHexDigits) return false;
  for (const char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// Compares in time that does not depend on where the two differ.
bool same_seal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char differ = 0;
  for (std::size_t i = 0; i < a.size(); ++i) differ |= static_cast<unsigned char>(a[i] ^ b[i]);
  return differ == 0;
}

std::string label_text(const ContainerOwner& owner, std::string_view seal) {
  return std::to_string(owner.uid) + ":" + std::to_string(owner.gid) + ":" + std::string(seal);
}

}  // namespace

Result<std::pair<ContainerOwner, std::string>> parse_owner_label(std::string_view label) {
  const auto first = label.find(':');
  const auto second = first == std::string_view::npos ? first : label.find(':', first + 1);
  ContainerOwner owner;
  if (second == std::string_view::npos || !parse_id(label.substr(0, first), owner.uid) ||
      !parse_id(label.substr(first + 1, second - first - 1), owner.gid) || !is_seal(label.substr(second + 1))) {
    return fail(std::string("label ") + kOwnerLabel + " is not UID:GID:SEAL");
  }
  if (const auto why = unnameable(owner)) return fail(std::string("label ") + kOwnerLabel + " names " + *why);
  return std::pair{owner, std::string(label.substr(second + 1))};
}

std::optional<std::string_view> owner_label_in(const std::map<std::string, std::string>& labels) {
  const auto label = labels.find(kOwnerLabel);
  if (label == labels.end() || label->second == kNoOwner) return std::nullopt;
  return label->second;
}

std::optional<std::string> unnameable(const ContainerOwner& owner) {
  if (owner.uid == 0 || owner.gid == 0) return "root, whom no container writes as";
  if (owner.uid == kNoId || owner.gid == kNoId) return "id 4294967295, which no one can be";
  return std::nullopt;
}

std::string OwnerSeals::path_for(const ContainerOwner& owner) const {
  return dir_ + "/" + std::to_string(owner.uid) + "-" + std::to_string(owner.gid);
}

Result<std::string> OwnerSeals::read_seal(const ContainerOwner& owner) const {
  const std::string path = path_for(owner);
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return fail("owner seal " + path + ": " + errno_text(errno));
  struct stat info {};
  char text[kSealHexDigits + 2] = {};
  ssize_t got = -1;
  if (::fstat(fd, &info) == 0) got = ::read(fd, text, sizeof text);
  const int err = errno;
  ::close(fd);
  if (got < 0) return fail("owner seal " + path + ": " + errno_text(err));
  // Whoever could read it could label a container as that developer's.
  if (!S_ISREG(info.st_mode) || info.st_uid != 0 || (info.st_mode & 077) != 0) {
    return fail("owner seal " + path + " is not a file only root can read and write");
  }
  const std::string_view seal(text, static_cast<std::size_t>(got));
  if (seal.size() != kSealHexDigits + 1 || seal.back() != '\n' || !is_seal(seal.substr(0, kSealHexDigits))) {
    return fail("owner seal " + path + " is not 32 lower-case hex digits and a newline");
  }
  return std::string(seal.substr(0, kSealHexDigits));
}

Result<std::string> OwnerSeals::label_for(const ContainerOwner& owner) const {
  if (auto existing = read_seal(owner)) return label_text(owner, *existing);
  std::array<unsigned char, kSealBytes> bytes{};
  if (::getrandom(bytes.data(), bytes.size(), 0) != static_cast<ssize_t>(bytes.size())) {
    return fail("owner seal: no random bytes: " + errno_text(errno));
  }
  const std::string seal = audit::lower_hex(bytes);
  // Written whole under a temporary name and linked into place, so a reader
  // never sees half a seal, and a seal once given out is never replaced.
  const std::string path = path_for(owner);
  const std::string temporary = path + ".new";
  ::unlink(temporary.c_str());
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return fail("creating owner seal " + temporary + ": " + errno_text(errno));
  const std::string text = seal + "\n";
  const bool written = ::fchmod(fd, 0600) == 0 &&
                       ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                       ::fsync(fd) == 0;
  const int err = errno;
  ::close(fd);
  const bool linked = written && ::link(temporary.c_str(), path.c_str()) == 0;
  const int link_err = errno;
  ::unlink(temporary.c_str());
  if (!written) return fail("writing owner seal " + temporary + ": " + errno_text(err));
  if (!linked && link_err == EEXIST) {
    auto existing = read_seal(owner);  // made meanwhile: that one counts
    if (!existing) return unexpected(existing.error());
    return label_text(owner, *existing);
  }
  if (!linked) return fail("creating owner seal " + path + ": " + errno_text(link_err));
  return label_text(owner, seal);
}

Result<ContainerOwner> OwnerSeals::owner_from(std::string_view label) const {
  auto parsed = parse_owner_label(label);
  if (!parsed) return unexpected(parsed.error());
  const auto& [owner, seal] = *parsed;
  auto on_file = read_seal(owner);
  if (!on_file) return unexpected(on_file.error());
  if (!same_seal(seal, *on_file)) {
    return fail(std::string("label ") + kOwnerLabel + " does not carry this stack's seal for uid " +
                std::to_string(owner.uid) + " and gid " + std::to_string(owner.gid));
  }
  return owner;
}

}  // namespace moat::core::trust

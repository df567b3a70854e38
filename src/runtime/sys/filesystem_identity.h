#pragma once
// The calling thread's filesystem uid and gid, borrowed for a while. moat-runc
// runs as root; overlayfs does its upper-layer work with the credentials of
// whoever created the overlay, so the overlay must be created as the
// container's root. Only the filesystem ids change (they are per thread and
// need no second process), and SECBIT_NO_SETUID_FIXUP keeps the
// capabilities the change would otherwise clear.

#include <linux/securebits.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "core/result/result.h"

namespace moat::runtime::sys {

class BorrowedFilesystemIdentity {
 public:
  // Takes `id` as filesystem uid and gid until the object goes.
  static Result<BorrowedFilesystemIdentity> take(std::uint32_t id) {
    const int bits = ::prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);
    if (bits < 0 || ::prctl(PR_SET_SECUREBITS, bits | SECBIT_NO_SETUID_FIXUP, 0, 0, 0) != 0) {
      return fail(std::string("cannot keep capabilities across a filesystem id change: ") + std::strerror(errno));
    }
    BorrowedFilesystemIdentity borrowed(bits);
    ::setfsgid(id);
    ::setfsuid(id);
    if (static_cast<std::uint32_t>(::setfsuid(static_cast<uid_t>(-1))) != id ||
        static_cast<std::uint32_t>(::setfsgid(static_cast<gid_t>(-1))) != id) {
      return fail("cannot take the container's root (" + std::to_string(id) + ") as filesystem uid and gid");
    }
    return borrowed;
  }

  BorrowedFilesystemIdentity(BorrowedFilesystemIdentity&& other) noexcept : bits_(other.bits_) { other.bits_ = -1; }
  BorrowedFilesystemIdentity(const BorrowedFilesystemIdentity&) = delete;
  BorrowedFilesystemIdentity& operator=(const BorrowedFilesystemIdentity&) = delete;
  BorrowedFilesystemIdentity& operator=(BorrowedFilesystemIdentity&&) = delete;

  // Root's ids and the securebits back. moat-runc must not go on acting on
  // the host as anyone else: if that fails, it stops here.
  ~BorrowedFilesystemIdentity() {
    if (bits_ < 0) return;
    ::setfsuid(0);
    ::setfsgid(0);
    if (::setfsuid(static_cast<uid_t>(-1)) != 0 || ::setfsgid(static_cast<gid_t>(-1)) != 0 ||
        ::prctl(PR_SET_SECUREBITS, bits_, 0, 0, 0) != 0) {
      std::fputs("moat-runc: cannot take back root's filesystem ids; stopping\n", stderr);
      std::abort();
    }
  }

 private:
  explicit BorrowedFilesystemIdentity(int bits) : bits_(bits) {}
  int bits_;  // securebits before; -1 once moved from
};

}  // namespace moat::runtime::sys

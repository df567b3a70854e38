#include "moatd/peer_credentials.h"

#include <sys/socket.h>
#include <unistd.h>

#include <climits>

namespace moat::moatd {

PeerCredentials peer_credentials(int fd) {
  PeerCredentials out;
  struct ucred cred {};
  socklen_t len = sizeof cred;
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) {
    out.pid = cred.pid;
    out.uid = cred.uid;
    out.gid = cred.gid;
    char buf[PATH_MAX];
    const std::string link = "/proc/" + std::to_string(cred.pid) + "/exe";
    const auto n = ::readlink(link.c_str(), buf, sizeof buf - 1);
    if (n > 0) out.executable.assign(buf, static_cast<std::size_t>(n));
  }
  return out;
}

}  // namespace moat::moatd

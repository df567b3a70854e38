#pragma once
// Who is on the other end of a unix socket, as the kernel says (SO_PEERCRED),
// never as the caller claims.

#include <sys/types.h>

#include <string>

namespace moat::moatd {

struct PeerCredentials {
  pid_t pid = 0;
  uid_t uid = static_cast<uid_t>(-1);
  gid_t gid = static_cast<gid_t>(-1);
  std::string executable;  // best effort: /proc/<pid>/exe at accept time
};

PeerCredentials peer_credentials(int fd);

}  // namespace moat::moatd

#include "moatd/unix_listener.h"

#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace moat::moatd {

Result<UnixAcceptor> listen_unix(boost::asio::io_context& io, const std::string& path, gid_t group,
                                 mode_t mode) {
  ::unlink(path.c_str());
  const mode_t old_mask = ::umask(0177);
  try {
    UnixAcceptor acceptor(io, boost::asio::local::stream_protocol::endpoint(path));
    ::umask(old_mask);
    if (::chown(path.c_str(), 0, group) != 0 || ::chmod(path.c_str(), mode) != 0) {
      return fail("setting owner and mode of " + path + ": " + std::strerror(errno));
    }
    return acceptor;
  } catch (const std::exception& e) {
    ::umask(old_mask);
    return fail("listening on " + path + ": " + e.what());
  }
}

Result<gid_t> group_id(const std::string& name) {
  struct group grp {};
  struct group* found = nullptr;
  char buf[16384];
  if (::getgrnam_r(name.c_str(), &grp, buf, sizeof buf, &found) != 0 || found == nullptr) {
    return fail("group \"" + name + "\" does not exist");
  }
  return found->gr_gid;
}

}  // namespace moat::moatd

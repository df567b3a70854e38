#pragma once
// Opens a listening unix socket with exactly the owner, group and mode asked
// for: it is created unreadable (umask) and opened up only after chown.

#include <sys/types.h>

#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>

#include "core/result/result.h"

namespace moat::moatd {

using UnixAcceptor = boost::asio::local::stream_protocol::acceptor;

Result<UnixAcceptor> listen_unix(boost::asio::io_context& io, const std::string& path, gid_t group,
                                 mode_t mode);

// The gid of a group by name ("docker"), if it exists.
Result<gid_t> group_id(const std::string& name);

}  // namespace moat::moatd

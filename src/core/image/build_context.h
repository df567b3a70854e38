#pragma once
// The Dockerfile inside a build context (the body of POST /build), read as
// Docker Engine 20.10's classic builder reads it: the engine parses the tar
// with Go's archive/tar, extracts it entry by entry into an empty directory
// (a later entry replaces an earlier one of the same name) and then opens
// the Dockerfile there, following symbolic links. Anything whose outcome
// depends on the file system rather than on the archive alone (links, sparse
// files, compressed contexts, headers the engine reads in its own odd way)
// is refused, so Moat never judges a Dockerfile other than the one built.
//
// Hand-written rather than built on a library: no Debian package reads a tar
// from memory with the engine's extraction rules (which duplicate wins, how a
// '\0' entry ending in '/' becomes a directory, when a GNU header's prefix
// counts, where an archive may end) and refuses what it cannot check.
// libarchive would be a new dependency and answers "what entries are there",
// not "what would the extracted directory hold".
//
// Rules:
// - The name is the build's `dockerfile` query parameter, "Dockerfile" when
//   absent. It is cleaned lexically ("./a//b" is "a/b"); a ".." that climbs
//   out of the context is refused. For "Dockerfile" exactly, the engine falls
//   back to "dockerfile" when no "Dockerfile" exists.
// - Entry names are cleaned the same way; an entry outside the context, or
//   one that is not a directory yet names the context's root, is refused.
// - The last entry with the Dockerfile's name wins (an entry below that name
//   makes it a directory, as extraction does), and it must be a regular
//   file: a link, directory, device or anything else is refused, as is a path
//   through a symbolic or hard link, and any entry the engine would write
//   through a link (it could land on the Dockerfile).
// - Headers: checksum (unsigned or signed sum), ustar prefix, GNU long names,
//   pax `path` and `size` records, octal and base-256 numbers; a pax global
//   header that sets `path`, and sparse files, are refused as unsupported.
//   The archive ends at two zero blocks, or at the end of the data after a
//   complete entry (as in Go, the last entry's padding may be cut short).
// - gzip, bzip2, xz and zstd contexts are refused: build without --compress.
// - A Dockerfile over 1 MiB is refused (the engine has no such limit).

#include <cstddef>
#include <string>
#include <string_view>

#include "core/result/result.h"

namespace moat::core::image {

// The most Moat reads of one Dockerfile.
inline constexpr std::size_t kMaxDockerfileBytes = std::size_t{1} << 20;

// Returns the Dockerfile's text, or why it cannot be read.
// `dockerfile` is the build's `dockerfile` query parameter as sent ("" when
// absent). `archive` is the uncompressed tar the client sent.
Result<std::string> dockerfile_from_context(std::string_view archive, std::string_view dockerfile);

}  // namespace moat::core::image

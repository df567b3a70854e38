#pragma once
// The parts of Go's archive/tar (Go 1.13 to 1.18, the releases Docker Engine
// 20.10 was built with) that Moat's tar readers share: header blocks, their
// numbers and checksum, pax records, and how entries are named in messages.
// Hand-written for the reasons build_context.h gives.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace moat::core::image::tar {

inline constexpr std::size_t kBlockSize = 512;
// Go's archive/tar refuses pax records and GNU long names over 1 MiB.
inline constexpr std::size_t kMaxSpecialFileBytes = std::size_t{1} << 20;

// A name for a message: quoted, bytes outside printable ASCII as \xNN, long
// names cut (with "..." after the closing quote).
std::string quoted(std::string_view text);
// "a regular file", "a block device", "an entry of tar type 'V'", ...
std::string kind_of(char type);

// parser.parseString: up to the first NUL.
std::string_view c_string(std::string_view bytes);
// parser.parseNumeric: base-256 (two's complement, big endian) when the
// first byte's high bit is set, octal otherwise.
std::optional<std::int64_t> parse_numeric(std::string_view bytes);
// strconv.ParseInt(text, 10, 64), digits only.
std::optional<std::int64_t> parse_decimal(std::string_view text);

bool is_zero_block(std::string_view block);

struct Header {
  char type = '0';
  std::string name;  // prefix included
  std::int64_t size = 0;
  std::int64_t mode = 0;  // as written: permissions, and 04000 setuid, 02000 setgid, 01000 sticky
};

// Reader.readHeader for a block that is not all zeros; nullopt where Go
// returns ErrHeader.
std::optional<Header> parse_header(std::string_view block);

// Types whose size field Go ignores: no data follows their header.
bool is_header_only(char type);

struct PaxRecords {
  // The last value of each record (Go keeps records in a map); an empty
  // value leaves the header's own field in place.
  std::optional<std::string> path;
  std::optional<std::string> size;
  bool sparse = false;                // any GNU.sparse.* record
  std::optional<std::string> xattr;   // the first extended attribute's key (SCHILY.xattr.*, LIBARCHIVE.xattr.*)
};

// Go's parsePAX: "<length> <key>=<value>\n" records filling the data
// exactly. Stricter than Go in one point: the length is digits only.
std::optional<PaxRecords> parse_pax(std::string_view data);

// The compression whose magic bytes start the data ("gzip", "bzip2", "xz",
// "zstd"), or "" for none: the engine unpacks any of them.
std::string_view compression_of(std::string_view archive);

}  // namespace moat::core::image::tar

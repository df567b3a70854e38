#include "core/image/tar_format.h"

#include <algorithm>

namespace moat::core::image::tar {
namespace {

// Names in messages are cut after this many bytes.
constexpr std::size_t kMaxQuotedBytes = 160;

// Header fields (offset, length).
struct Field {
  std::size_t offset;
  std::size_t length;
};
constexpr Field kName{0, 100};
constexpr Field kMode{100, 8};
constexpr Field kUid{108, 8};
constexpr Field kGid{116, 8};
constexpr Field kSize{124, 12};
constexpr Field kMtime{136, 12};
constexpr Field kChecksum{148, 8};
constexpr std::size_t kTypeflagAt = 156;
constexpr Field kMagic{257, 6};
constexpr Field kVersion{263, 2};
constexpr Field kDevMajor{329, 8};
constexpr Field kDevMinor{337, 8};
constexpr Field kUstarPrefix{345, 155};
constexpr Field kStarPrefix{345, 131};
constexpr Field kGnuAccessTime{345, 12};
constexpr Field kGnuChangeTime{357, 12};
constexpr Field kStarTrailer{508, 4};

constexpr std::string_view kUstarMagic{"ustar\0", 6};
constexpr std::string_view kGnuMagic{"ustar ", 6};
constexpr std::string_view kGnuVersion{" \0", 2};
constexpr std::string_view kStarTrailerText{"tar\0", 4};
constexpr std::string_view kSpaceOrNul{" \0", 2};

std::string_view field(std::string_view block, Field f) {
  return block.substr(f.offset, f.length);
}

// parser.parseOctal: spaces and NULs trimmed at both ends, then octal digits
// up to the first NUL. An empty field is 0.
std::optional<std::int64_t> parse_octal(std::string_view bytes) {
  const std::size_t first = bytes.find_first_not_of(kSpaceOrNul);
  if (first == std::string_view::npos) return 0;
  const std::size_t last = bytes.find_last_not_of(kSpaceOrNul);
  const std::string_view digits = c_string(bytes.substr(first, last - first + 1));
  std::uint64_t value = 0;
  for (const char c : digits) {
    if (c < '0' || c > '7' || value > (UINT64_MAX >> 3)) return std::nullopt;
    value = value << 3 | static_cast<std::uint64_t>(c - '0');
  }
  return static_cast<std::int64_t>(value);  // Go's int64(x)
}

// block.GetFormat's checksum test: the unsigned or the (historic) signed sum
// of the block, with the checksum field counted as spaces.
bool checksum_matches(std::string_view block) {
  const auto recorded = parse_octal(field(block, kChecksum));
  if (!recorded) return false;
  std::int64_t unsigned_sum = 0;
  std::int64_t signed_sum = 0;
  for (std::size_t i = 0; i < kBlockSize; ++i) {
    const bool in_checksum = i >= kChecksum.offset && i < kChecksum.offset + kChecksum.length;
    const char c = in_checksum ? ' ' : block[i];
    unsigned_sum += static_cast<unsigned char>(c);
    signed_sum += static_cast<signed char>(c);
  }
  return *recorded == unsigned_sum || *recorded == signed_sum;
}

enum class Format { kV7, kUstar, kGnu, kStar };

Format format_of(std::string_view block) {
  const std::string_view magic = field(block, kMagic);
  if (magic == kUstarMagic) {
    return field(block, kStarTrailer) == kStarTrailerText ? Format::kStar : Format::kUstar;
  }
  if (magic == kGnuMagic && field(block, kVersion) == kGnuVersion) return Format::kGnu;
  return Format::kV7;
}

bool is_ascii(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

}  // namespace

std::string quoted(std::string_view text) {
  static constexpr std::string_view kHex = "0123456789abcdef";
  std::string out = "\"";
  const std::size_t shown = std::min(text.size(), kMaxQuotedBytes);
  for (std::size_t i = 0; i < shown; ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte == '"' || byte == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(byte));
    } else if (byte < 0x20 || byte >= 0x7f) {
      out += "\\x";
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0xfU]);
    } else {
      out.push_back(static_cast<char>(byte));
    }
  }
  out.push_back('"');
  if (shown < text.size()) out += "...";
  return out;
}

std::string kind_of(char type) {
  switch (type) {
    case '0':
    case '7':
      return "a regular file";
    case '1':
      return "a hard link";
    case '2':
      return "a symbolic link";
    case '3':
      return "a character device";
    case '4':
      return "a block device";
    case '5':
      return "a directory";
    case '6':
      return "a fifo";
    case 'g':
      return "a pax global header";
    default:
      break;
  }
  const auto byte = static_cast<unsigned char>(type);
  if (byte > 0x20 && byte < 0x7f) return std::string("an entry of tar type '") + type + "'";
  static constexpr std::string_view kHex = "0123456789abcdef";
  return std::string("an entry of tar type 0x") + kHex[byte >> 4] + kHex[byte & 0xfU];
}

std::string_view c_string(std::string_view bytes) {
  return bytes.substr(0, std::min(bytes.find('\0'), bytes.size()));
}

std::optional<std::int64_t> parse_numeric(std::string_view bytes) {
  if (bytes.empty() || (static_cast<unsigned char>(bytes[0]) & 0x80U) == 0) {
    return parse_octal(bytes);
  }
  const bool negative = (static_cast<unsigned char>(bytes[0]) & 0x40U) != 0;
  const unsigned invert = negative ? 0xffU : 0x00U;
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    unsigned byte = static_cast<unsigned char>(bytes[i]) ^ invert;
    if (i == 0) byte &= 0x7fU;  // the sign bit
    if ((value >> 56) != 0) return std::nullopt;
    value = value << 8 | byte;
  }
  if ((value >> 63) != 0) return std::nullopt;
  const auto magnitude = static_cast<std::int64_t>(value);
  return negative ? ~magnitude : magnitude;
}

std::optional<std::int64_t> parse_decimal(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::uint64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
    if (value > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
  }
  return static_cast<std::int64_t>(value);
}

bool is_zero_block(std::string_view block) {
  return block.find_first_not_of('\0') == std::string_view::npos;
}

std::optional<Header> parse_header(std::string_view block) {
  if (!checksum_matches(block)) return std::nullopt;
  const Format format = format_of(block);
  const auto size = parse_numeric(field(block, kSize));
  bool numbers_ok = size && parse_numeric(field(block, kMode)) &&
                    parse_numeric(field(block, kUid)) && parse_numeric(field(block, kGid)) &&
                    parse_numeric(field(block, kMtime));
  if (format != Format::kV7) {
    numbers_ok = numbers_ok && parse_numeric(field(block, kDevMajor)) &&
                 parse_numeric(field(block, kDevMinor));
  }
  if (!numbers_ok) return std::nullopt;

  std::string_view prefix;
  switch (format) {
    case Format::kUstar:
      prefix = c_string(field(block, kUstarPrefix));
      break;
    case Format::kStar:
      prefix = c_string(field(block, kStarPrefix));
      break;
    case Format::kGnu: {
      // Go reads the access and change times; when either is set but does
      // not parse, it takes the area as a ustar prefix instead (files from
      // Go before 1.8 wrote one there), if that is ASCII.
      const auto time_unreadable = [&](Field f) {
        return block[f.offset] != '\0' && !parse_numeric(field(block, f));
      };
      if (time_unreadable(kGnuAccessTime) || time_unreadable(kGnuChangeTime)) {
        const std::string_view candidate = c_string(field(block, kUstarPrefix));
        if (is_ascii(candidate)) prefix = candidate;
      }
      break;
    }
    case Format::kV7:
      break;
  }

  Header header;
  header.type = block[kTypeflagAt];
  header.name = std::string(c_string(field(block, kName)));
  if (!prefix.empty()) header.name = std::string(prefix) + "/" + header.name;
  header.size = *size;
  header.mode = *parse_numeric(field(block, kMode));
  return header;
}

bool is_header_only(char type) { return type >= '1' && type <= '6'; }


std::optional<PaxRecords> parse_pax(std::string_view data) {
  PaxRecords records;
  while (!data.empty()) {
    const std::size_t space = data.find(' ');
    if (space == 0 || space == std::string_view::npos) return std::nullopt;
    std::size_t length = 0;
    for (const char c : data.substr(0, space)) {
      if (c < '0' || c > '9' || length > data.size()) return std::nullopt;
      length = length * 10 + static_cast<std::size_t>(c - '0');
    }
    if (length < 5 || length > data.size() || length <= space + 1 || data[length - 1] != '\n') {
      return std::nullopt;
    }
    const std::string_view record = data.substr(space + 1, length - space - 2);
    data.remove_prefix(length);
    const std::size_t equals = record.find('=');
    if (equals == 0 || equals == std::string_view::npos) return std::nullopt;
    const std::string_view key = record.substr(0, equals);
    const std::string_view value = record.substr(equals + 1);
    if (key.find('\0') != std::string_view::npos) return std::nullopt;
    const bool text_key = key == "path" || key == "linkpath" || key == "uname" || key == "gname";
    if (text_key && value.find('\0') != std::string_view::npos) return std::nullopt;
    if (key == "path") records.path = std::string(value);
    if (key == "size") records.size = std::string(value);
    if (key.substr(0, 11) == "GNU.sparse.") records.sparse = true;
    const bool xattr = key.substr(0, 13) == "SCHILY.xattr." || key.substr(0, 17) == "LIBARCHIVE.xattr.";
    if (xattr && !records.xattr) records.xattr = std::string(key);
  }
  return records;
}

std::string_view compression_of(std::string_view archive) {
  struct Magic {
    std::string_view bytes;
    std::string_view format;
  };
  static constexpr Magic kMagics[] = {
      {std::string_view("\x1f\x8b", 2), "gzip"},
      {std::string_view("BZh", 3), "bzip2"},
      {std::string_view("\xfd\x37\x7a\x58\x5a\x00", 6), "xz"},
      {std::string_view("\x28\xb5\x2f\xfd", 4), "zstd"},
  };
  for (const Magic& magic : kMagics) {
    if (archive.substr(0, magic.bytes.size()) == magic.bytes) return magic.format;
  }
  return {};
}

}  // namespace moat::core::image::tar

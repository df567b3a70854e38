#pragma once
// Tar archives for tests, written byte by byte, so each case says exactly
// what the engine's tar reader would see (a hostile client's archive too).

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace moat::testing_support::tar {

inline constexpr std::size_t kBlock = 512;
inline constexpr std::string_view kUstarMagic{"ustar\0" "00", 8};
inline constexpr std::string_view kGnuMagic{"ustar  \0", 8};
inline constexpr std::string_view kNoMagic{"\0\0\0\0\0\0\0\0", 8};

struct Member {
  std::string name{};
  std::string data{};
  char type = '0';
  std::string linkname{};
  std::string prefix{};
  std::optional<std::uint64_t> size{};  // header size, when not data.size()
  std::string_view magic = kUstarMagic;
  std::uint64_t mode = 0644;
};

inline void put_text(std::string& block, std::size_t offset, std::string_view text) {
  block.replace(offset, text.size(), text);
}

// `value` as octal digits filling all but the last byte of the field, then NUL.
inline void put_octal(std::string& block, std::size_t offset, std::size_t width, std::uint64_t value) {
  std::string digits(width - 1, '0');
  for (std::size_t i = digits.size(); i-- > 0 && value != 0; value >>= 3) {
    digits[i] = static_cast<char>('0' + (value & 7U));
  }
  put_text(block, offset, digits);
  block[offset + width - 1] = '\0';
}

// Writes the checksum as GNU tar does (six octal digits, NUL, space), from
// the unsigned sum or, with `signed_sum`, from the historic signed one.
inline void seal(std::string& block, bool signed_sum = false) {
  block.replace(148, 8, 8, ' ');
  std::int64_t sum = 0;
  for (const char c : block) {
    sum += signed_sum ? static_cast<signed char>(c) : static_cast<unsigned char>(c);
  }
  put_octal(block, 148, 7, static_cast<std::uint64_t>(sum));
  block[155] = ' ';
}

inline std::string header(const Member& member) {
  std::string block(kBlock, '\0');
  put_text(block, 0, member.name);
  put_octal(block, 100, 8, member.mode);
  put_octal(block, 108, 8, 0);
  put_octal(block, 116, 8, 0);
  put_octal(block, 124, 12, member.size.value_or(member.data.size()));
  put_octal(block, 136, 12, 0);
  block[156] = member.type;
  put_text(block, 157, member.linkname);
  put_text(block, 257, member.magic);
  put_text(block, 345, member.prefix);
  seal(block);
  return block;
}

inline std::string padded(std::string data) {
  data.resize((data.size() + kBlock - 1) / kBlock * kBlock, '\0');
  return data;
}

inline std::string member(const Member& m) { return header(m) + padded(m.data); }

inline std::string file(std::string name, std::string data) {
  return member({.name = std::move(name), .data = std::move(data)});
}

inline std::string entry(std::string name, char type, std::string linkname = "") {
  return member({.name = std::move(name), .type = type, .linkname = std::move(linkname)});
}

// One "<length> key=value\n" pax record.
inline std::string pax_record(std::string_view key, std::string_view value) {
  const std::size_t base = key.size() + value.size() + 3;
  std::size_t length = base + std::to_string(base).size();
  if (std::to_string(length).size() != std::to_string(base).size()) ++length;
  return std::to_string(length) + " " + std::string(key) + "=" + std::string(value) + "\n";
}

inline std::string pax(std::string records, char type = 'x') {
  return member({.name = "PaxHeaders/x", .data = std::move(records), .type = type});
}

inline std::string long_name(std::string_view name) {
  return member({.name = "././@LongLink", .data = std::string(name) + '\0', .type = 'L'});
}

// The members followed by the two zero blocks that end an archive.
inline std::string archive(std::initializer_list<std::string> members) {
  std::string out;
  for (const std::string& m : members) out += m;
  return out + std::string(2 * kBlock, '\0');
}

}  // namespace moat::testing_support::tar

#pragma once
// The hash chain: every line carries in `prev` the SHA-256 (lower-case hex) of
// the exact bytes of the line before it, newline excluded. The first line of a
// log ever carries 64 zeros.

#include <string>
#include <string_view>

namespace moat::core::audit {

inline constexpr std::string_view kGenesisPrev =
    "0000000000000000000000000000000000000000000000000000000000000000";

// Lower-case hex SHA-256 of bytes. Returns an empty string only if OpenSSL
// fails; an empty string never equals a stored prev, so a failure shows up
// as a chain break instead of passing (fail closed).
std::string sha256_hex(std::string_view bytes);
// The same into `hex`, reusing its buffer (the log hashes every line it
// writes); empty on failure, as above.
void sha256_hex_to(std::string& hex, std::string_view bytes);

// 64 lower-case hex digits: a SHA-256 as the log writes it, and the shape of
// the engine's container and layer ids. Inline, so that code which needs
// only this check (moat-runc, linked statically) does not link OpenSSL.
constexpr bool is_sha256_hex(std::string_view text) {
  if (text.size() != 64) return false;
  for (const char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace moat::core::audit

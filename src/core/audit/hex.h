#pragma once
// Lower-case hex, two digits a byte: how the log writes hashes, and how the
// manifest and the owner seals write theirs. No OpenSSL here, so moat-runc,
// linked statically, may use it.

#include <span>
#include <string>

namespace moat::core::audit {

// Appends the digits of `bytes` to `out`.
void append_lower_hex(std::string& out, std::span<const unsigned char> bytes);
std::string lower_hex(std::span<const unsigned char> bytes);

}  // namespace moat::core::audit

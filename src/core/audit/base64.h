#pragma once
// Standard base64 (RFC 4648, with padding) for checkpoint signatures.

#include <optional>
#include <string>
#include <string_view>

namespace moat::core::audit {

std::string base64_encode(std::string_view bytes);

// Only the canonical spelling decodes: correct padding, no whitespace, and
// unused bits zero, so a signature has exactly one textual form.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace moat::core::audit

#pragma once
// Detached Ed25519 signatures as Moat stores them beside the signed file
// (FILE.sig): one line holding the standard base64 (RFC 4648, padded) of the
// raw 64-byte signature, followed by one newline. Text rather than raw bytes
// so the file survives configuration-management tools and can be pasted.
// The signature covers the signed file's exact bytes (pure Ed25519).

#include <optional>
#include <string>
#include <string_view>

#include "core/audit/signing_key.h"

namespace moat::core::trust {

// "<file>.sig"
std::string signature_path_for(const std::string& file);

std::string encode_signature(std::string_view raw_signature);

// The raw 64 bytes, or nullopt unless `text` is exactly canonical base64 of
// 64 bytes with at most one trailing newline.
std::optional<std::string> decode_signature(std::string_view text);

// True only when `signature_text` decodes and verifies `message` with `key`.
bool verify_detached(const audit::VerifyKey& key, std::string_view message, std::string_view signature_text);

}  // namespace moat::core::trust

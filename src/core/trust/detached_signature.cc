#include "core/trust/detached_signature.h"

#include "core/audit/base64.h"

namespace moat::core::trust {

std::string signature_path_for(const std::string& file) { return file + ".sig"; }

std::string encode_signature(std::string_view raw_signature) {
  return audit::base64_encode(raw_signature) + "\n";
}

std::optional<std::string> decode_signature(std::string_view text) {
  if (text.ends_with('\n')) text.remove_suffix(1);
  auto raw = audit::base64_decode(text);
  if (!raw || raw->size() != audit::kSignatureBytes) return std::nullopt;
  return raw;
}

bool verify_detached(const audit::VerifyKey& key, std::string_view message, std::string_view signature_text) {
  const auto raw = decode_signature(signature_text);
  return raw && key.verify(message, *raw);
}

}  // namespace moat::core::trust

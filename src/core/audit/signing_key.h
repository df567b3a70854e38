#pragma once
// Ed25519 keys for checkpoint signatures. The private key stays with the
// root-owned writer (PEM PKCS#8, mode 0600, owned by the writer's uid); the
// public key (PEM SubjectPublicKeyInfo) is all a verifier needs.

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include <openssl/types.h>

#include "core/audit/audit_error.h"
#include "core/result/result.h"

namespace moat::core::audit {

inline constexpr std::size_t kSignatureBytes = 64;

class VerifyKey {
 public:
  static Result<VerifyKey, AuditError> load(const std::filesystem::path& public_key_pem);
  static Result<VerifyKey, AuditError> from_pem(std::string_view pem);

  // signature: the raw 64 bytes.
  bool verify(std::string_view message, std::string_view signature) const;
  Result<std::string, AuditError> pem() const;

 private:
  explicit VerifyKey(std::shared_ptr<EVP_PKEY> key) : key_(std::move(key)) {}
  friend class SigningKey;
  std::shared_ptr<EVP_PKEY> key_;
};

class SigningKey {
 public:
  static Result<SigningKey, AuditError> generate();
  // Refuses a file that is not a regular file owned by the effective uid, or
  // that group or others may read or write.
  static Result<SigningKey, AuditError> load(const std::filesystem::path& private_key_pem);

  // The raw 64-byte Ed25519 signature (pure Ed25519: no pre-hash).
  Result<std::string, AuditError> sign(std::string_view message) const;
  VerifyKey verify_key() const { return VerifyKey(key_); }
  Result<std::string, AuditError> private_pem() const;

 private:
  explicit SigningKey(std::shared_ptr<EVP_PKEY> key) : key_(std::move(key)) {}
  std::shared_ptr<EVP_PKEY> key_;
};

struct KeyPairPaths {
  std::filesystem::path private_key;
  std::filesystem::path public_key;
};

// "<private>.pub"
std::filesystem::path public_key_path_for(const std::filesystem::path& private_key);

// Writes a new key pair: the private key with mode 0600 and the public key
// (mode 0644) beside it. Never overwrites: an existing file is an error, and
// nothing is left behind when any step fails.
Result<KeyPairPaths, AuditError> create_key_pair(const std::filesystem::path& private_key);

}  // namespace moat::core::audit

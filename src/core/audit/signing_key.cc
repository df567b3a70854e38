#include "core/audit/signing_key.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "core/audit/unique_fd.h"

namespace moat::core::audit {
namespace {

constexpr std::size_t kMaxKeyFileBytes = 64 * 1024;

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

std::shared_ptr<EVP_PKEY> own(EVP_PKEY* key) { return {key, EVP_PKEY_free}; }

// The oldest queued OpenSSL error as text, clearing the queue so the next
// failure does not report a stale one.
std::string openssl_reason() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "no OpenSSL error queued";
  std::array<char, 256> text{};
  ERR_error_string_n(code, text.data(), text.size());
  return text.data();
}

Unexpected<AuditError> crypto_fail(const std::string& what) {
  return audit_fail(AuditErrc::kCrypto, what + ": " + openssl_reason());
}

Result<std::string, AuditError> read_small_file(const std::filesystem::path& path,
                                                struct stat& info) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (fd.get() < 0) {
    auto error = io_error(errno, "opening key " + path.string());
    error.code = AuditErrc::kKey;
    return moat::unexpected(std::move(error));
  }
  if (::fstat(fd.get(), &info) != 0)
    return moat::unexpected(io_error(errno, "stat " + path.string()));
  if (!S_ISREG(info.st_mode)) {
    return audit_fail(AuditErrc::kKey, "key " + path.string() + " is not a regular file");
  }
  if (static_cast<std::uint64_t>(info.st_size) > kMaxKeyFileBytes) {
    return audit_fail(AuditErrc::kKey, "key " + path.string() + " is larger than " +
                                           std::to_string(kMaxKeyFileBytes) + " bytes");
  }
  std::string content;
  std::array<char, 4096> buffer{};
  for (;;) {
    const ssize_t got = ::read(fd.get(), buffer.data(), buffer.size());
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return moat::unexpected(io_error(errno, "reading key " + path.string()));
    if (got == 0) break;
    content.append(buffer.data(), static_cast<std::size_t>(got));
    if (content.size() > kMaxKeyFileBytes) {
      return audit_fail(AuditErrc::kKey, "key " + path.string() + " grew while being read");
    }
  }
  return content;
}

Result<void, AuditError> write_new_file(const std::filesystem::path& path, std::string_view bytes,
                                        mode_t mode) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode));
  if (fd.get() < 0) {
    if (errno == EEXIST) {
      return audit_fail(AuditErrc::kKey, "refusing to overwrite existing file " + path.string() +
                                             "; remove it first if a new key is really wanted");
    }
    return moat::unexpected(io_error(errno, "creating " + path.string()));
  }
  // A half-written key must not stay behind to be loaded later.
  const auto discard = [&](AuditError error) {
    ::unlink(path.c_str());
    return moat::unexpected(std::move(error));
  };
  // The umask may have narrowed or (for the public key) widened the mode.
  if (::fchmod(fd.get(), mode) != 0) return discard(io_error(errno, "chmod " + path.string()));
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t wrote = ::write(fd.get(), bytes.data() + done, bytes.size() - done);
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote < 0) return discard(io_error(errno, "writing " + path.string()));
    done += static_cast<std::size_t>(wrote);
  }
  if (::fsync(fd.get()) != 0) return discard(io_error(errno, "fsync " + path.string()));
  return {};
}

Result<std::string, AuditError> bio_text(BIO* bio) {
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  if (length < 0 || data == nullptr) return crypto_fail("reading PEM buffer");
  return std::string(data, static_cast<std::size_t>(length));
}

bool is_ed25519(EVP_PKEY* key) { return EVP_PKEY_get_id(key) == EVP_PKEY_ED25519; }

}  // namespace

Result<VerifyKey, AuditError> VerifyKey::from_pem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return crypto_fail("allocating PEM buffer");
  EVP_PKEY* key = PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
  if (key == nullptr) {
    ERR_clear_error();
    return audit_fail(AuditErrc::kKey, "not a PEM public key (expected \"BEGIN PUBLIC KEY\")");
  }
  auto owned = own(key);
  if (!is_ed25519(key)) return audit_fail(AuditErrc::kKey, "public key is not an Ed25519 key");
  return VerifyKey(std::move(owned));
}

Result<VerifyKey, AuditError> VerifyKey::load(const std::filesystem::path& public_key_pem) {
  struct stat info {};
  auto content = read_small_file(public_key_pem, info);
  if (!content) return moat::unexpected(std::move(content).error());
  auto key = from_pem(*content);
  if (!key) return moat::unexpected(key.error().with_context(public_key_pem.string()));
  return key;
}

bool VerifyKey::verify(std::string_view message, std::string_view signature) const {
  if (!key_ || signature.size() != kSignatureBytes) return false;
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx) return false;
  const bool ok =
      EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) == 1 &&
      EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                       signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                       message.size()) == 1;
  ERR_clear_error();
  return ok;
}

Result<std::string, AuditError> VerifyKey::pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key_.get()) != 1) {
    return crypto_fail("writing public key PEM");
  }
  return bio_text(bio.get());
}

Result<SigningKey, AuditError> SigningKey::generate() {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  if (key == nullptr) return crypto_fail("generating an Ed25519 key");
  return SigningKey(own(key));
}

Result<SigningKey, AuditError> SigningKey::load(const std::filesystem::path& private_key_pem) {
  struct stat info {};
  auto content = read_small_file(private_key_pem, info);
  if (!content) return moat::unexpected(std::move(content).error());
  const std::string name = private_key_pem.string();
  if (info.st_uid != ::geteuid()) {
    return audit_fail(AuditErrc::kKey, "private key " + name + " is owned by uid " +
                                           std::to_string(info.st_uid) + ", not by uid " +
                                           std::to_string(::geteuid()) +
                                           " that signs with it; chown it to the signer");
  }
  if ((info.st_mode & 077U) != 0) {
    std::array<char, 8> mode{};
    std::snprintf(mode.data(), mode.size(), "%04o", info.st_mode & 07777U);
    return audit_fail(AuditErrc::kKey, "private key " + name +
                                           " is accessible by group or others (mode " +
                                           mode.data() + "); run chmod 600 " + name);
  }
  BioPtr bio(BIO_new_mem_buf(content->data(), static_cast<int>(content->size())));
  if (!bio) return crypto_fail("allocating PEM buffer");
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  if (key == nullptr) {
    ERR_clear_error();
    return audit_fail(AuditErrc::kKey,
                      "private key " + name + " is not an unencrypted PEM private key");
  }
  auto owned = own(key);
  if (!is_ed25519(key)) {
    return audit_fail(AuditErrc::kKey, "private key " + name + " is not an Ed25519 key");
  }
  return SigningKey(std::move(owned));
}

Result<std::string, AuditError> SigningKey::sign(std::string_view message) const {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx) return crypto_fail("allocating signing context");
  // Ed25519 signs the message itself, so the digest argument is NULL.
  if (EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) != 1) {
    return crypto_fail("initialising Ed25519 signing");
  }
  std::string signature(kSignatureBytes, '\0');
  std::size_t length = signature.size();
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1 ||
      length != kSignatureBytes) {
    return crypto_fail("signing with Ed25519");
  }
  return signature;
}

Result<std::string, AuditError> SigningKey::private_pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return crypto_fail("writing private key PEM");
  }
  return bio_text(bio.get());
}

std::filesystem::path public_key_path_for(const std::filesystem::path& private_key) {
  std::filesystem::path pub = private_key;
  pub += ".pub";
  return pub;
}

Result<KeyPairPaths, AuditError> create_key_pair(const std::filesystem::path& private_key) {
  const KeyPairPaths paths{private_key, public_key_path_for(private_key)};
  auto key = SigningKey::generate();
  if (!key) return moat::unexpected(std::move(key).error());
  auto private_text = key->private_pem();
  if (!private_text) return moat::unexpected(std::move(private_text).error());
  auto public_text = key->verify_key().pem();
  if (!public_text) return moat::unexpected(std::move(public_text).error());
  // Check both names first so an existing public key does not leave a fresh
  // private key without its partner.
  for (const auto& path : {paths.private_key, paths.public_key}) {
    struct stat info {};
    if (::lstat(path.c_str(), &info) == 0) {
      return audit_fail(AuditErrc::kKey, "refusing to overwrite existing file " + path.string() +
                                             "; remove it first if a new key is really wanted");
    }
  }
  if (auto written = write_new_file(paths.private_key, *private_text, 0600); !written) {
    return moat::unexpected(written.error());
  }
  if (auto written = write_new_file(paths.public_key, *public_text, 0644); !written) {
    ::unlink(paths.private_key.c_str());
    return moat::unexpected(written.error());
  }
  return paths;
}

}  // namespace moat::core::audit

// Hand-written: Debian has no C++ library for Docker image references, and
// the engine's rules (distribution/reference and go-digest, both Go) include
// quirks a generic parser would not share. The order of the checks below is
// the engine's, because the first failing check picks the message.
#include "core/image/image_ref.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <array>
#include <cstddef>
#include <utility>

#include "core/image/go_lowercase.h"
#include "core/image/reference_grammar.h"

namespace moat::core::image {
namespace {

constexpr std::string_view kDefaultDomain = "docker.io";
constexpr std::string_view kLegacyDefaultDomain = "index.docker.io";
constexpr std::string_view kOfficialPrefix = "library/";
constexpr std::string_view kDefaultTag = "latest";
constexpr std::size_t kMaxPathLength = 255;

Unexpected<ImageRefError> refuse(ImageRefErrorKind kind, std::string message) {
  return unexpected(ImageRefError{kind, std::move(message)});
}

struct Split {
  std::string domain;
  std::string remainder;  // path plus whatever tag and digest followed it
};

// The engine's splitDockerDomain: decides from the first element alone
// whether the text names a registry, before any grammar check.
Split split_docker_domain(std::string_view text) {
  Split split;
  const std::size_t slash = text.find('/');
  if (slash == std::string_view::npos) {
    // A single element is always a Docker Hub name, even "localhost:5000".
    split.domain = kDefaultDomain;
    split.remainder = std::string(kOfficialPrefix) + std::string(text);
    return split;
  }
  const std::string_view first = text.substr(0, slash);
  const std::string_view rest = text.substr(slash + 1);
  if (first == "localhost") {
    split = {std::string(first), std::string(rest)};
  } else if (first == kLegacyDefaultDomain) {
    split = {std::string(kDefaultDomain), std::string(rest)};
  } else if (first.find_first_of(".:") != std::string_view::npos ||
             detail::go_lower_changes(first)) {
    // A dot or port marks a host; so does upper case, which a namespace may
    // not contain.
    split = {std::string(first), std::string(rest)};
  } else {
    split = {std::string(kDefaultDomain), std::string(text)};
  }
  if (split.domain == kDefaultDomain && split.remainder.find('/') == std::string::npos) {
    split.remainder.insert(0, kOfficialPrefix);
  }
  return split;
}

// go-digest v1.0.0 (the release the engine vendors) Digest.Validate, for a
// digest the reference grammar already accepted.
Result<void, ImageRefError> validate_digest(std::string_view digest) {
  const std::size_t colon = digest.find(':');
  const std::string_view algorithm = digest.substr(0, colon);
  const std::string_view encoded = digest.substr(colon + 1);
  std::size_t hex_length = 0;
  if (algorithm == "sha256") {
    hex_length = 64;
  } else if (algorithm == "sha384") {
    hex_length = 96;
  } else if (algorithm == "sha512") {
    hex_length = 128;
  } else {
    // Unknown algorithms are "unsupported" only when they would otherwise be
    // well formed for go-digest, whose algorithm names are lower case.
    for (const char c : algorithm) {
      if (c >= 'A' && c <= 'Z') {
        return refuse(ImageRefErrorKind::kInvalidDigest, "invalid checksum digest format");
      }
    }
    return refuse(ImageRefErrorKind::kUnsupportedDigest, "unsupported digest algorithm");
  }
  if (encoded.size() != hex_length) {
    return refuse(ImageRefErrorKind::kInvalidDigest, "invalid checksum digest length");
  }
  for (const char c : encoded) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return refuse(ImageRefErrorKind::kInvalidDigest, "invalid checksum digest format");
    }
  }
  return {};
}

// The engine's reference.Parse on a text that already carries a domain.
Result<ImageRef, ImageRefError> parse_full(std::string_view text) {
  const auto match = detail::match_reference(text);
  if (!match) {
    if (detail::go_lower_changes(text) &&
        detail::match_reference(detail::go_lower_for_matching(text))) {
      return refuse(ImageRefErrorKind::kUppercase, "repository name must be lowercase");
    }
    return refuse(ImageRefErrorKind::kInvalidFormat, "invalid reference format");
  }
  if (match->path.size() > kMaxPathLength) {
    return refuse(ImageRefErrorKind::kNameTooLong,
                  "repository name must not be more than 255 characters");
  }
  if (match->digest) {
    if (auto valid = validate_digest(*match->digest); !valid) return unexpected(valid.error());
  }
  ImageRef ref;
  ref.domain = std::string(match->domain);
  ref.path = std::string(match->path);
  if (match->tag) ref.tag = std::string(*match->tag);
  if (match->digest) ref.digest = std::string(*match->digest);
  return ref;
}

std::string with_suffix(std::string name, const ImageRef& ref, bool default_tag) {
  if (ref.tag) {
    name += ':';
    name += *ref.tag;
  } else if (default_tag && !ref.digest) {
    name += ':';
    name += kDefaultTag;
  }
  if (ref.digest) {
    name += '@';
    name += *ref.digest;
  }
  return name;
}

std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

std::string ImageRef::name() const {
  if (domain.empty()) return path;
  return domain + "/" + path;
}

std::string ImageRef::to_string() const { return with_suffix(name(), *this, false); }

std::string ImageRef::normalized() const { return with_suffix(name(), *this, true); }

std::string ImageRef::familiar() const {
  if (domain != kDefaultDomain) return normalized();
  std::string short_path = path;
  if (path.starts_with(kOfficialPrefix)) {
    const std::string_view rest = std::string_view(path).substr(kOfficialPrefix.size());
    // Only a direct child of library/ is an official image.
    if (rest.find('/') == std::string_view::npos) short_path = std::string(rest);
  }
  return with_suffix(short_path, *this, true);
}

std::string ImageRef::registry() const { return canonical_registry(domain); }

Result<ImageRef, ImageRefError> parse_image_ref(std::string_view text) {
  if (detail::is_identifier(text)) {
    return refuse(ImageRefErrorKind::kHexIdentifier,
                  "invalid repository name (" + std::string(text) +
                      "), cannot specify 64-byte hexadecimal strings");
  }
  const Split split = split_docker_domain(text);
  const std::string_view remainder = split.remainder;
  const std::string_view remote = remainder.substr(0, remainder.find(':'));
  if (detail::go_lower_changes(remote)) {
    return refuse(ImageRefErrorKind::kUppercase, "invalid reference format: repository name (" +
                                                     std::string(remote) + ") must be lowercase");
  }
  return parse_full(split.domain + "/" + split.remainder);
}

Result<ImageRef, ImageRefError> parse_canonical_image_ref(std::string_view text) {
  auto ref = parse_image_ref(text);
  if (!ref) return ref;
  if (ref->to_string() != text) {
    return refuse(ImageRefErrorKind::kNotCanonical, "repository name must be canonical");
  }
  return ref;
}

std::string canonical_registry(std::string_view host) {
  std::string key = ascii_lower(host);
  if (key.starts_with('[')) {
    const std::size_t close = key.find(']');
    if (close == std::string::npos) return key;
    const std::string address = key.substr(1, close - 1);
    // inet_pton would stop at an embedded NUL and accept the prefix.
    if (address.find_first_not_of("0123456789abcdef:.") != std::string::npos) return key;
    in6_addr parsed{};
    std::array<char, INET6_ADDRSTRLEN> text{};
    if (inet_pton(AF_INET6, address.c_str(), &parsed) != 1 ||
        inet_ntop(AF_INET6, &parsed, text.data(), static_cast<socklen_t>(text.size())) ==
            nullptr) {
      return key;
    }
    return "[" + std::string(text.data()) + "]" + key.substr(close + 1);
  }
  if (key == kDefaultDomain || key == kLegacyDefaultDomain || key == "registry-1.docker.io") {
    return std::string(kDefaultDomain);
  }
  return key;
}

}  // namespace moat::core::image

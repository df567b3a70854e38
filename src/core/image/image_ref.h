#pragma once
// Image references, read exactly as Docker Engine reads them
// (distribution/reference ParseNormalizedNamed plus go-digest validation), so
// that every policy rule sees the repository and registry host the engine
// would actually use. "busybox" is docker.io/library/busybox:latest;
// "localhost:5000/x" is on registry localhost:5000; "Foo/bar" is on registry
// "Foo" (an upper-case first element is a host, not a namespace).
//
// Errors carry the engine's own words, so a refusal reads the same as the one
// the developer would get from `docker pull`. Behaviour follows
// distribution/reference v0.6.0 and later (the 255-character limit counts the
// repository path, not the host; the lower-case error quotes the repository)
// and go-digest v1.0.0, the versions current engines vendor.
//
// A reference may carry both a tag and a digest; the engine then fetches by
// digest and the tag does not select what is downloaded. Rules that look at
// tags must therefore look at the digest first.

#include <optional>
#include <string>
#include <string_view>

#include "core/result/result.h"

namespace moat::core::image {

struct ImageRef {
  // As the engine keeps it, case included: "docker.io", "localhost:5000",
  // "Reg.Example", "[2001:db8::1]:5000". Empty in one corner of the grammar:
  // a first element that contains '.' but is no valid host ("foo_bar.com/x")
  // becomes part of the path. The engine's parser then names no host, yet a
  // resolver that splits at the first '/' may still contact foo_bar.com, so
  // the registry key is empty and no allowlist may match it.
  std::string domain;
  // Repository path on that registry: "library/busybox", "team/app".
  std::string path;
  // Absent when the reference named no tag: "latest" is only implied.
  std::optional<std::string> tag;
  // "algorithm:hex" as written, already validated.
  std::optional<std::string> digest;

  // domain/path (just path when domain is empty).
  std::string name() const;
  // The engine's String(): name[:tag][@digest], nothing added.
  std::string to_string() const;
  // The pullable form: like to_string() but with tag "latest" when the
  // reference had neither tag nor digest. A tag next to a digest is kept.
  std::string normalized() const;
  // How the CLI shows normalized(): "busybox:latest", "team/app:1",
  // "localhost:5000/x:latest". For display only: the familiar form can name a
  // different repository when parsed again ("docker.io/example.com/x" shows
  // as "example.com/x"), so never feed it back into a decision.
  std::string familiar() const;
  // Registry key for allowlists: canonical_registry(domain). Empty when the
  // domain is empty; treat that as "unknown registry" and refuse.
  std::string registry() const;
};

enum class ImageRefErrorKind {
  kInvalidFormat,      // "invalid reference format"
  kUppercase,          // upper case where the engine wants lower case
  kHexIdentifier,      // a bare 64-hex image ID given where a name is expected
  kNameTooLong,        // repository path over 255 characters
  kInvalidDigest,      // digest malformed for its algorithm
  kUnsupportedDigest,  // digest algorithm the engine does not know
  kNotCanonical,       // only from parse_canonical_image_ref
};

struct ImageRefError {
  ImageRefErrorKind kind = ImageRefErrorKind::kInvalidFormat;
  // The engine's message, e.g.
  // "invalid reference format: repository name (library/Busybox) must be lowercase".
  std::string message;
};

// Parses text like `docker pull TEXT` would (ParseNormalizedNamed): adds
// docker.io and library/ where the engine does, and refuses what it refuses.
Result<ImageRef, ImageRefError> parse_image_ref(std::string_view text);

// Parses text that must already be written in full, like Go's ParseNamed:
// text has to equal to_string() of the result ("docker.io/library/busybox",
// not "busybox"). Refuses anything else with "repository name must be
// canonical". For settings written by an admin, where shorthand would hide
// which registry is meant.
Result<ImageRef, ImageRefError> parse_canonical_image_ref(std::string_view text);

// The key under which a registry host is compared: ASCII lower case, with the
// port kept when one is given, an IPv6 literal in its RFC 5952 form, and the
// Docker Hub names docker.io, index.docker.io and registry-1.docker.io (with
// no port) folded into "docker.io". "INDEX.docker.io" -> "docker.io",
// "Reg.Example:5000" -> "reg.example:5000", "[2001:DB8:0::1]:5000" ->
// "[2001:db8::1]:5000". An explicit port is never folded: "docker.io:443" is
// its own key, so an allowlist naming docker.io does not silently cover it.
std::string canonical_registry(std::string_view host);

}  // namespace moat::core::image

#pragma once
// The image reference grammar of distribution/reference (regexp.go), written
// out by hand: no Debian package offers it to C++, and a regex library would
// not promise Go's leftmost-first choice of submatches, which decides where
// the registry host ends. Each check below is one production of that grammar.
//
//   reference        := name [ ":" tag ] [ "@" digest ]
//   name             := [ domain "/" ] path-component ( "/" path-component )*
//   domain           := ( domain-name | "[" [a-fA-F0-9:]+ "]" ) [ ":" [0-9]+ ]
//   domain-name      := domain-label ( "." domain-label )*
//   domain-label     := [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
//   path-component   := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
//   tag              := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
//   digest           := algorithm ":" [0-9a-fA-F]{32,}
//   algorithm        := [A-Za-z][A-Za-z0-9]* ( [-_+.] [A-Za-z][A-Za-z0-9]* )*

#include <optional>
#include <string_view>

namespace moat::core::image::detail {

// The pieces of a string that matches the whole reference grammar. Views into
// the matched text. domain is empty when the name has no registry part.
struct ReferenceMatch {
  std::string_view domain;
  std::string_view path;
  std::optional<std::string_view> tag;
  std::optional<std::string_view> digest;
};

// Matches text against the anchored reference grammar and splits it the way
// Go's regexp does: the first element is the domain whenever the rest still
// matches with it taken as one.
std::optional<ReferenceMatch> match_reference(std::string_view text);

bool is_domain(std::string_view text);
bool is_path_component(std::string_view text);
bool is_tag(std::string_view text);
bool is_reference_digest(std::string_view text);

// A bare image ID: exactly 64 lowercase hexadecimal characters.
bool is_identifier(std::string_view text);

}  // namespace moat::core::image::detail

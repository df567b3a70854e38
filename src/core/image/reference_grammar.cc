#include "core/image/reference_grammar.h"

#include <cstddef>

namespace moat::core::image::detail {
namespace {

// ASCII classes only: Go's \w and [[:xdigit:]] are ASCII, and the C library's
// classification depends on the locale.
bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return is_alpha(c) || is_digit(c); }
bool is_word(char c) { return is_alnum(c) || c == '_'; }
bool is_xdigit(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool is_domain_label(std::string_view label) {
  if (label.empty() || !is_alnum(label.front()) || !is_alnum(label.back())) return false;
  for (const char c : label) {
    if (!is_alnum(c) && c != '-') return false;
  }
  return true;
}

bool is_domain_name(std::string_view host) {
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = host.find('.', start);
    if (!is_domain_label(host.substr(start, dot - start))) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

bool is_port(std::string_view digits) {
  if (digits.empty()) return false;
  for (const char c : digits) {
    if (!is_digit(c)) return false;
  }
  return true;
}

bool is_path(std::string_view path) {
  std::size_t start = 0;
  while (true) {
    const std::size_t slash = path.find('/', start);
    if (!is_path_component(path.substr(start, slash - start))) return false;
    if (slash == std::string_view::npos) return true;
    start = slash + 1;
  }
}

bool is_algorithm_component(std::string_view part) {
  if (part.empty() || !is_alpha(part.front())) return false;
  for (const char c : part) {
    if (!is_alnum(c)) return false;
  }
  return true;
}

bool is_algorithm(std::string_view algorithm) {
  std::size_t start = 0;
  while (true) {
    const std::size_t sep = algorithm.find_first_of("-_+.", start);
    if (!is_algorithm_component(algorithm.substr(start, sep - start))) return false;
    if (sep == std::string_view::npos) return true;
    start = sep + 1;
  }
}

// The part of the grammar after the domain: path, optional tag, optional
// digest, up to the end. A path holds no ':' or '@' and a tag no '@', so each
// boundary is the first such character: there is only one way to split.
std::optional<ReferenceMatch> match_after_domain(std::string_view text,
                                                 std::string_view domain,
                                                 std::size_t path_start) {
  ReferenceMatch m;
  m.domain = domain;
  std::size_t pos = text.find_first_of(":@", path_start);
  if (pos == std::string_view::npos) pos = text.size();
  m.path = text.substr(path_start, pos - path_start);
  if (!is_path(m.path)) return std::nullopt;
  if (pos < text.size() && text[pos] == ':') {
    std::size_t tag_end = text.find('@', pos + 1);
    if (tag_end == std::string_view::npos) tag_end = text.size();
    m.tag = text.substr(pos + 1, tag_end - pos - 1);
    if (!is_tag(*m.tag)) return std::nullopt;
    pos = tag_end;
  }
  if (pos < text.size()) {
    // Only '@' can be here: the path stopped at ':' or '@' and the tag at '@'.
    m.digest = text.substr(pos + 1);
    if (!is_reference_digest(*m.digest)) return std::nullopt;
  }
  return m;
}

}  // namespace

bool is_domain(std::string_view text) {
  if (text.empty()) return false;
  std::size_t host_end = 0;
  if (text.front() == '[') {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos || close == 1) return false;
    for (const char c : text.substr(1, close - 1)) {
      if (!is_xdigit(c) && c != ':') return false;
    }
    host_end = close + 1;
  } else {
    host_end = text.find(':');
    if (host_end == std::string_view::npos) host_end = text.size();
    if (!is_domain_name(text.substr(0, host_end))) return false;
  }
  if (host_end == text.size()) return true;
  return text[host_end] == ':' && is_port(text.substr(host_end + 1));
}

bool is_path_component(std::string_view text) {
  if (text.empty() || !is_lower_alnum(text.front()) || !is_lower_alnum(text.back())) {
    return false;
  }
  std::size_t i = 0;
  while (i < text.size()) {
    if (is_lower_alnum(text[i])) {
      ++i;
      continue;
    }
    // A separator run between two alphanumerics: ".", "_", "__" or "-"+.
    const std::size_t start = i;
    while (i < text.size() && !is_lower_alnum(text[i])) ++i;
    const std::string_view sep = text.substr(start, i - start);
    const bool dashes = sep.find_first_not_of('-') == std::string_view::npos;
    if (!(sep == "." || sep == "_" || sep == "__" || dashes)) return false;
  }
  return true;
}

bool is_tag(std::string_view text) {
  if (text.empty() || text.size() > 128 || !is_word(text.front())) return false;
  for (const char c : text) {
    if (!is_word(c) && c != '.' && c != '-') return false;
  }
  return true;
}

bool is_reference_digest(std::string_view text) {
  const std::size_t colon = text.find(':');
  if (colon == std::string_view::npos || !is_algorithm(text.substr(0, colon))) return false;
  const std::string_view hex = text.substr(colon + 1);
  if (hex.size() < 32) return false;
  for (const char c : hex) {
    if (!is_xdigit(c)) return false;
  }
  return true;
}

bool is_identifier(std::string_view text) {
  if (text.size() != 64) return false;
  for (const char c : text) {
    if (!is_digit(c) && !(c >= 'a' && c <= 'f')) return false;
  }
  return true;
}

std::optional<ReferenceMatch> match_reference(std::string_view text) {
  // Go's optional domain group is greedy: it is taken when the first element
  // is a valid domain and the remainder still matches. Otherwise the whole
  // name is a path (this is how "foo_bar.com/x" ends up with no domain).
  const std::size_t slash = text.find('/');
  if (slash != std::string_view::npos && is_domain(text.substr(0, slash))) {
    if (auto m = match_after_domain(text, text.substr(0, slash), slash + 1)) return m;
  }
  return match_after_domain(text, std::string_view{}, 0);
}

}  // namespace moat::core::image::detail

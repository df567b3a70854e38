#pragma once
// Go's strings.ToLower, as far as image reference parsing depends on it.
//
// distribution/reference decides two things by asking whether
// strings.ToLower(x) != x: whether a first path element is a registry host,
// and whether a repository name is refused as "must be lowercase". Go lowers
// with Unicode simple case mappings and replaces each invalid UTF-8 byte with
// U+FFFD, so "changed" is true for more than ASCII capitals. Reproducing that
// keeps our verdict and message equal to the engine's for every input.

#include <string>
#include <string_view>

namespace moat::core::image::detail {

// True when Go's strings.ToLower(text) would differ from text.
bool go_lower_changes(std::string_view text);

// strings.ToLower(text) reduced to what the reference grammar can tell apart:
// ASCII is lowered; U+0130 and U+212A become 'i' and 'k' (the only non-ASCII
// letters Unicode lowers to ASCII); every other non-ASCII byte is kept, since
// the grammar refuses any non-ASCII byte whatever it would have become.
std::string go_lower_for_matching(std::string_view text);

}  // namespace moat::core::image::detail

#pragma once
// What a Dockerfile makes the engine's classic builder fetch: the image of
// every FROM that is not an earlier stage or scratch, every COPY --from that
// names an image, and every ADD source that is a URL, each with build
// arguments substituted the way the builder substitutes them.
//
// Written by hand: the only readers of the Dockerfile grammar are Go
// (BuildKit's parser and shell lexer). This one follows them for the parts
// that decide what is fetched, and refuses instead of guessing everywhere
// else: a variable with no value in a FROM, a substitution form it does not
// read, or an ADD source that might be a URL but cannot be resolved.
//
// Not visible here, and left to the network layer: ONBUILD triggers of a base
// image, and whatever BuildKit fetches (its Dockerfile never reaches moatd).

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result/result.h"

namespace moat::core::image {

struct BuildSource {
  enum class Kind { kImage, kUrl };
  Kind kind = Kind::kImage;
  std::string value;        // the image reference or URL after substitution
  std::size_t line = 0;     // 1-based line where the instruction starts
  std::string instruction;  // "FROM", "COPY --from" or "ADD"
};

// The buildargs parameter of POST /build: a value of nullopt is an argument
// given without one, which leaves the ARG's default in place.
using BuildArgs = std::map<std::string, std::optional<std::string>, std::less<>>;

// Sources in the order the instructions appear. Errors name the line and say
// what could not be read.
Result<std::vector<BuildSource>> dockerfile_sources(std::string_view dockerfile, const BuildArgs& build_args);

}  // namespace moat::core::image

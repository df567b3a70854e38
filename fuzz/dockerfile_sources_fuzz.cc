#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/image/dockerfile_sources.h"

// The first line of the input is a build argument value for A and B (so
// substitutions are exercised both ways); the rest is the Dockerfile.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using moat::core::image::BuildArgs;
  using moat::core::image::dockerfile_sources;

  std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t newline = input.find('\n');
  const std::string_view arg = newline == std::string_view::npos ? std::string_view() : input.substr(0, newline);
  const std::string_view dockerfile = newline == std::string_view::npos ? input : input.substr(newline + 1);
  const BuildArgs args{{"A", std::string(arg)}, {"B", std::nullopt}};

  const auto sources = dockerfile_sources(dockerfile, args);
  if (!sources) {
    if (sources.error().message.empty()) __builtin_trap();
    return 0;
  }
  const auto lines = static_cast<std::size_t>(std::count(dockerfile.begin(), dockerfile.end(), '\n')) + 1;
  for (const auto& source : *sources) {
    if (source.value.empty() || source.line == 0 || source.line > lines) __builtin_trap();
    if (source.kind == moat::core::image::BuildSource::Kind::kUrl && !source.value.starts_with("http://") &&
        !source.value.starts_with("https://")) {
      __builtin_trap();
    }
  }
  // The same input reads the same way.
  const auto again = dockerfile_sources(dockerfile, args);
  if (!again || again->size() != sources->size()) __builtin_trap();
  return 0;
}

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/image/build_context.h"

namespace {

using moat::core::image::dockerfile_from_context;
using moat::core::image::kMaxDockerfileBytes;

// A refusal is one sentence: lower case first, one line, no final period.
bool is_sentence(const std::string& message) {
  return !message.empty() && message.front() >= 'a' && message.front() <= 'z' &&
         message.find('\n') == std::string::npos && message.back() != '.';
}

// The outcome as one comparable string.
std::string outcome(const moat::Result<std::string>& result) {
  return result ? "read:" + *result : "refused:" + result.error().message;
}

void check(std::string_view archive, std::string_view dockerfile) {
  const auto result = dockerfile_from_context(archive, dockerfile);
  if (!result) {
    if (!is_sentence(result.error().message)) __builtin_trap();
    return;
  }
  // The text is one entry's bytes, within Moat's cap.
  if (result->size() > kMaxDockerfileBytes) __builtin_trap();
  if (archive.find(*result) == std::string_view::npos) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view archive(reinterpret_cast<const char*>(data), size);
  for (const std::string_view name : {"", "Dockerfile", "./dockerfile", "sub/Dockerfile"}) {
    check(archive, name);
  }

  // An absent dockerfile parameter means "Dockerfile".
  const auto by_default = dockerfile_from_context(archive, "");
  if (outcome(by_default) != outcome(dockerfile_from_context(archive, "Dockerfile"))) {
    __builtin_trap();
  }
  // Zero blocks after a readable archive only end it (they also complete a
  // last entry's padding, if it was cut short).
  if (by_default) {
    const std::string padded = std::string(archive) + std::string(3 * 512, '\0');
    const auto again = dockerfile_from_context(padded, "");
    if (!again || *again != *by_default) __builtin_trap();
  }
  return 0;
}

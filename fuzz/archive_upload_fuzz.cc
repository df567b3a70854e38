// The docker cp archive check (core/policy/archive_upload.h), fed as a
// client may send it. Byte 0 picks the piece size; the rest is the body.
// Properties: no crash; what goes on is always a prefix of the body, and
// the whole body when nothing is refused; the verdict does not depend on
// how the body was cut into pieces.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/policy/archive_upload.h"

namespace {

struct Outcome {
  std::string forwarded;
  std::string refusal;
};

Outcome upload(std::string_view body, std::size_t piece) {
  moat::core::policy::ArchiveUploadCheck check;
  Outcome out;
  std::size_t at = 0;
  do {
    const std::string_view part = body.substr(at, piece);
    at += part.size();
    auto passed = check.feed(part, at == body.size());
    if (!passed) {
      out.refusal = passed.error().message();
      if (out.refusal.empty()) __builtin_trap();
      return out;
    }
    out.forwarded.append(*passed);
  } while (at < body.size());
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t piece = std::size_t{data[0]} * 7 + 1;
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  const Outcome whole = upload(body, body.size() + 1);
  const Outcome cut = upload(body, piece);
  for (const Outcome* o : {&whole, &cut}) {
    if (body.substr(0, o->forwarded.size()) != o->forwarded) __builtin_trap();
    if (o->refusal.empty() && o->forwarded != body) __builtin_trap();
  }
  if (whole.refusal != cut.refusal) __builtin_trap();
  return 0;
}

// Fuzzes the audit line parser. Whatever parses must serialise back to the
// same bytes (the parser accepts only canonical lines) and parse again to the
// same entry; anything else traps.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/audit/audit_record.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  const auto parsed = moat::core::audit::parse_line(line);
  if (!parsed) return 0;
  const std::string again_text = moat::core::audit::to_line(*parsed);
  if (again_text != line) __builtin_trap();
  const auto again = moat::core::audit::parse_line(again_text);
  if (!again || !(*again == *parsed)) __builtin_trap();
  return 0;
}

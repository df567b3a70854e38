// The stack record (state/stack.json) that `moatctl up` writes and `down`,
// `status` and `manifest write` read. Properties: no crash; a record that
// parses serialises back to a text that parses to the same record; a pid
// read is never one kill(2) would take for a group or for every process.
#include <cstdint>
#include <string_view>

#include "cli/stack_record.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto record = moat::cli::parse_stack_record(text);
  if (!record) return 0;
  if (record->dockerd < 0 || record->moatd < 0) __builtin_trap();
  if (record->egress_port < 0 || record->egress_port > 65535) __builtin_trap();
  const auto again = moat::cli::parse_stack_record(moat::cli::serialize_stack_record(*record));
  if (!again || !(*again == *record)) __builtin_trap();
  return 0;
}

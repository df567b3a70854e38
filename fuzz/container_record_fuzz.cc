// The engine's records moatd reads to judge a docker cp's target
// (core/engine/container_record.h): a container's config.v2.json and a
// local volume's opts.json. Properties: no crash; a record read has a
// 64-digit lower-case hex id, and every mount point has a destination.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/engine/container_record.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (const auto record = moat::core::engine::parse_container_record(text)) {
    if (record->id.size() != 64) __builtin_trap();
    for (const char c : record->id) {
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) __builtin_trap();
    }
    for (const auto& mount : record->mounts) {
      if (mount.destination.empty() && text.find("\"\"") == std::string_view::npos) __builtin_trap();
    }
  }
  (void)moat::core::engine::volume_host_device(text);
  return 0;
}

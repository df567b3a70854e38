// The state files Moat reads back: runc's state.json (moat-runc), the
// protected path list moatctl up writes for moat-runc, the id range table,
// the audit log's checkpoint state, the syslog export cursor and the
// developers' settings. They are Moat's own or root's, but a crash, a full
// disk or a hand edit can leave anything in them, and each is read by a
// parser. Properties: nothing throws; a file that is read says something
// usable, and a damaged one is refused rather than taken for less:
// - runc's state names a real pid;
// - the protected path list is not empty and holds absolute paths only
//   (an empty list would let containers mount the engine's socket);
// - the range table never hands a container a slot another container owns,
//   and the container is then the slot's owner.
//
// Input: byte 0 picks the file; the rest is its content (for the range
// table: the container's by-id entry, a NUL, and the entry of slot 0).

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/audit/checkpoint_state.h"
#include "core/audit/export/export_cursor.h"
#include "core/settings/user_settings.h"
#include "runtime/idmap/range_allocator.h"
#include "runtime/runc_state.h"
#include "runtime/spec/protected_mounts.h"
#include "support/temp_dir.h"

namespace {

namespace fs = std::filesystem;
using namespace moat;

const fs::path& scratch() {
  static const testing_support::TempDir dir("moat-state-files-fuzz");
  return dir.path();
}

void write(const fs::path& path, std::string_view content) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
}

void runc_state(const fs::path& dir, std::string_view content) {
  write(dir / "runc" / "c1" / "state.json", content);
  const auto init = runtime::read_init_process((dir / "runc").string(), "c1");
  if (init && init->pid <= 0) __builtin_trap();
  if (!init && init.error().message.empty()) __builtin_trap();
}

void protected_paths(const fs::path& dir, std::string_view content) {
  write(dir / runtime::spec::kProtectedPathsFile, content);
  const auto loaded = runtime::spec::load_protected_paths(dir.string());
  if (!loaded) {
    if (loaded.error().message.empty()) __builtin_trap();
    return;
  }
  if (loaded->paths.empty() || !loaded->engine_data_root.starts_with('/')) __builtin_trap();
  for (const auto& path : loaded->paths) {
    if (!path.starts_with('/')) __builtin_trap();
  }
}

void range_table(const fs::path& dir, std::string_view content) {
  const auto nul = content.find('\0');
  const std::string_view by_id = content.substr(0, nul);
  const std::string_view slot_zero = nul == std::string_view::npos ? std::string_view() : content.substr(nul + 1);
  fs::create_directories(dir / "idmap" / "slots");
  write(dir / "idmap" / "by-id" / "mine", by_id);
  write(dir / "idmap" / "slots" / "0", slot_zero);
  runtime::idmap::RangeAllocator allocator(dir.string(), {.base = 100000, .range_size = 65536, .slots = 4});
  const auto range = allocator.allocate("mine", "/run/runc", [](const runtime::idmap::Allocation&) { return true; });
  if (!range) {
    if (range.error().message.empty()) __builtin_trap();
    return;
  }
  // The slot it got now names it; slot 0, which held an entry before, only
  // if that entry was already this container's.
  const std::size_t slot = (range->host_base - 100000) / 65536;
  const auto owner = [](std::string_view text) {
    const auto entry = nlohmann::json::parse(text, nullptr, false);
    return entry.is_object() && entry.contains("id") && entry["id"].is_string() ? entry["id"].get<std::string>()
                                                                                  : std::string();
  };
  std::ifstream in(dir / "idmap" / "slots" / std::to_string(slot), std::ios::binary);
  const std::string now((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (owner(now) != "mine") __builtin_trap();
  if (slot == 0 && owner(slot_zero) != "mine") __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::string_view content(reinterpret_cast<const char*>(data) + 1, size - 1);
  const fs::path dir = scratch() / "run";
  std::error_code ignored;
  fs::remove_all(dir, ignored);
  fs::create_directories(dir);
  switch (data[0] % 6) {
    case 0:
      runc_state(dir, content);
      break;
    case 1:
      protected_paths(dir, content);
      break;
    case 2:
      range_table(dir, content);
      break;
    case 3: {
      write(dir / "checkpoint-state", content);
      const auto state = core::audit::read_checkpoint_state(dir / "checkpoint-state");
      if (!state && state.error().message.empty()) __builtin_trap();
      break;
    }
    case 4: {
      write(dir / "cursor", content);
      const auto cursor = core::audit::exporter::read_cursor(dir / "cursor");
      if (!cursor && cursor.error().message.empty()) __builtin_trap();
      break;
    }
    case 5: {
      write(dir / "developer-settings.json", content);
      const auto settings = core::settings::load_user_settings((dir / "developer-settings.json").string());
      if (!settings && settings.error().message.empty()) __builtin_trap();
      break;
    }
  }
  return 0;
}

// Feeds arbitrary bodies to the Go-JSON canonicaliser for one of the Docker
// API v1.41 schemas (chosen by byte 0) and checks that an accepted body's
// canonical form is accepted again unchanged (a fixed point) and that every
// object key in it is an exact field name or a map key.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/json/strict_json.h"
#include "moatd/http/docker_api_v141.h"
#include "moatd/http/go_json.h"

namespace {

using namespace moat::moatd::http;

const go_json::Type& schema(std::uint8_t selector) {
  switch (selector % 6) {
    case 0:
      return docker_api_v141::container_create();
    case 1:
      return docker_api_v141::container_update();
    case 2:
      return docker_api_v141::exec_create();
    case 3:
      return docker_api_v141::exec_start();
    case 4:
      return docker_api_v141::volume_create();
    default:
      return docker_api_v141::network_create();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const go_json::Type& type = schema(data[0]);
  const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  const auto canonical = go_json::canonical_body(body, type);
  if (!canonical) {
    if (canonical.error().message.empty()) __builtin_trap();
    return 0;
  }
  const auto again = go_json::canonical_body(*canonical, type);
  if (!again || *again != *canonical) __builtin_trap();
  if (!moat::core::json::parse_strict(*canonical)) __builtin_trap();
  return 0;
}

// Translates arbitrary docker command lines the way `moatctl check` does and
// checks that translation never crashes or throws, that every failure says
// why, and that every container-create and exec body it produces already has
// exactly the field names and types dockerd decodes (docker_api_v141).
//
// Input: the argv words separated by NUL bytes ("docker\0run\0-it\0alpine").
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cli/check/docker_command_line.h"
#include "cli/check/translated_request.h"
#include "moatd/http/docker_api_v141.h"
#include "moatd/http/go_json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace moat::cli::check;
  namespace http = moat::moatd::http;

  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> argv;
  std::size_t start = 0;
  while (start <= input.size()) {
    const std::size_t end = std::min(input.find('\0', start), input.size());
    argv.emplace_back(input.substr(start, end - start));
    start = end + 1;
  }
  const HostEnvironment host{"/home/dev/project", {{"HOME", "/home/dev"}, {"A", "1"}}};

  const auto translated = translate_docker_command(argv, host);
  if (!translated) {
    if (translated.error().message.empty()) __builtin_trap();
    return 0;
  }
  const auto& request = translated->request;
  if (request.method != "POST" || request.segments.empty()) __builtin_trap();
  const std::string target = request_target(request);
  if (!target.starts_with("/v1.41/")) __builtin_trap();
  if (!request.body) return 0;
  (void)request.body->dump(2);  // valid UTF-8 after translation: must not throw

  const http::go_json::Type* schema = nullptr;
  if (request.segments == std::vector<std::string>{"containers", "create"}) {
    schema = &http::docker_api_v141::container_create();
  } else if (request.segments.size() == 3 && request.segments[0] == "containers" && request.segments[2] == "exec") {
    schema = &http::docker_api_v141::exec_create();
  } else if (request.segments == std::vector<std::string>{"volumes", "create"}) {
    schema = &http::docker_api_v141::volume_create();
  } else if (request.segments == std::vector<std::string>{"networks", "create"}) {
    schema = &http::docker_api_v141::network_create();
  }
  if (schema != nullptr) {
    const auto canonical = http::go_json::canonicalize(*request.body, *schema);
    if (!canonical || *canonical != *request.body) __builtin_trap();
  }
  return 0;
}

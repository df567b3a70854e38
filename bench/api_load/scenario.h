#pragma once
// The request mixes moat-api-load can send, written as the docker CLI sends
// them, and how one operation of each is judged.

#include <optional>
#include <string>
#include <string_view>

#include "core/result/result.h"

namespace moat::bench::api_load {

enum class Scenario {
  kPing,            // GET /v1.41/_ping
  kContainersJson,  // GET /v1.41/containers/json
  kCreateRemove,    // POST /v1.41/containers/create, then DELETE ...?force=1: one operation
  kRefusedCreate,   // POST /v1.41/containers/create, privileged with / bound: Moat answers 403
};

std::optional<Scenario> scenario_from_name(std::string_view name);
std::string_view scenario_name(Scenario scenario);
// The HTTP status class (2 for 2xx) or exact status a scenario's requests
// must get to count as done.
bool expected_status(Scenario scenario, unsigned status);

// Raw HTTP/1.1 requests, byte for byte as the docker CLI sends them (Go's
// net/http writes Host, User-Agent, Content-Length, then the other headers
// sorted). Built once as text so that sending one costs a single write.
std::string ping_request();
std::string containers_json_request();
std::string create_request(std::string_view image);
// `docker create --privileged -v /:/host IMAGE true`: what a guard must
// refuse (and record), never to be sent to an unguarded engine.
std::string refused_create_request(std::string_view image);
std::string remove_request(std::string_view container_id);

// The container id from a create response body ({"Id":"…","Warnings":[]}).
Result<std::string> container_id_from_create(std::string_view body);

}  // namespace moat::bench::api_load

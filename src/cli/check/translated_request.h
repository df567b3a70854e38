#pragma once
// A docker command line turned into the Engine API request the docker CLI
// would send first for it, in the shape the policy judges.

#include <string>

#include "core/policy/policy_context.h"

namespace moat::cli::check {

inline constexpr const char* kApiVersionPrefix = "/v1.41";

struct TranslatedRequest {
  core::policy::ApiRequest request;
  // What the CLI streams as the body when it is not JSON, for the reader
  // ("the image archive from standard input"); empty otherwise.
  std::string streamed_body;
};

// "/v1.41/containers/create": the segments escaped as Go's url.URL does.
std::string request_path(const core::policy::ApiRequest& request);

// request_path() plus "?name=x" as url.Values.Encode writes the query.
std::string request_target(const core::policy::ApiRequest& request);

}  // namespace moat::cli::check

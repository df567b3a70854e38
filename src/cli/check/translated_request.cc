#include "cli/check/translated_request.h"

#include "cli/check/go_values.h"

namespace moat::cli::check {

std::string request_path(const core::policy::ApiRequest& request) {
  std::string path = kApiVersionPrefix;
  for (const auto& segment : request.segments) path += "/" + path_escape(segment);
  return path;
}

std::string request_target(const core::policy::ApiRequest& request) {
  std::string target = request_path(request);
  for (std::size_t i = 0; i < request.query.size(); ++i) {
    target += (i == 0 ? "?" : "&") + query_escape(request.query[i].first) + "=" + query_escape(request.query[i].second);
  }
  return target;
}

}  // namespace moat::cli::check

#include "moatd/http/canonical_request.h"

#include "moatd/http/request_target.h"

namespace moat::moatd::http {

std::string CanonicalRequest::path() const { return format_path(api_version, segments); }

std::string CanonicalRequest::target() const {
  std::string out;
  append_target(out);
  return out;
}

void CanonicalRequest::append_target(std::string& out) const {
  append_path(out, api_version, segments);
  if (query.empty()) return;
  out.push_back('?');
  append_query(out, query);
}

const std::string* CanonicalRequest::header(std::string_view lower_name) const {
  for (const Header& h : headers) {
    if (h.name == lower_name) return &h.value;
  }
  return nullptr;
}

}  // namespace moat::moatd::http

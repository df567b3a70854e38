#pragma once
// The policy the session tests run with: a judge that records what it saw
// and refuses privileged containers, and the archive endpoints streamed.

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/json/strict_json.h"
#include "moatd/proxy/session_options.h"

namespace moat::moatd::proxy::test_support {

inline constexpr const char* kPrivilegedRefusal =
    "privileged containers are not allowed by Moat (rule containers.privileged); remove --privileged";

// "POST /v1.41/containers/create" for every request the judge saw.
class JudgeLog {
 public:
  void add(const http::CanonicalRequest& r) {
    std::lock_guard lock(mutex_);
    seen_.push_back(r.method + " " + r.path());
  }
  std::vector<std::string> seen() const {
    std::lock_guard lock(mutex_);
    return seen_;
  }
  bool saw(const std::string& entry) const {
    for (const auto& s : seen()) {
      if (s == entry) return true;
    }
    return false;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> seen_;
};

inline bool path_is(const http::CanonicalRequest& r, std::initializer_list<const char*> pattern) {
  if (r.segments.size() != pattern.size()) return false;
  std::size_t i = 0;
  for (const char* p : pattern) {
    if (std::string_view(p) != "*" && r.segments[i] != p) return false;
    ++i;
  }
  return true;
}

inline bool streams_archive(const http::CanonicalRequest& h) {
  return (h.method == "POST" && (path_is(h, {"images", "load"}) || path_is(h, {"build"}) ||
                                 path_is(h, {"images", "create"}))) ||
         (h.method == "PUT" && path_is(h, {"containers", "*", "archive"}));
}

inline Verdict refuse_privileged(const http::CanonicalRequest& r) {
  if (r.method != "POST" || !path_is(r, {"containers", "create"})) return Verdict{true, 0, ""};
  auto doc = core::json::parse_strict(r.body);
  if (!doc) return Verdict{false, 400, "Moat could not read the container configuration: " + doc.error().message};
  const nlohmann::json& v = doc->value;
  if (v.contains("HostConfig") && v["HostConfig"].is_object() && v["HostConfig"].contains("Privileged") &&
      v["HostConfig"]["Privileged"] == true) {
    return Verdict{false, 403, kPrivilegedRefusal};
  }
  return Verdict{true, 0, ""};
}

// Options for a session in front of `engine_socket`. `extra` may refuse
// more; everything it lets through goes on to the privileged rule.
inline SessionOptions test_options(const std::string& engine_socket, std::shared_ptr<JudgeLog> log,
                                   std::function<std::optional<Verdict>(const http::CanonicalRequest&)> extra = {}) {
  SessionOptions o;
  o.engine_socket = engine_socket;
  o.stream_body = streams_archive;
  o.judge = [log, extra](const http::CanonicalRequest& r, const PeerCredentials&) {
    log->add(r);
    if (extra) {
      if (auto v = extra(r)) return *v;
    }
    return refuse_privileged(r);
  };
  return o;
}

}  // namespace moat::moatd::proxy::test_support

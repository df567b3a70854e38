#include "runtime/runtime_audit.h"

#include <chrono>

#include <nlohmann/json.hpp>

#include "core/json/strict_json.h"

namespace moat::runtime {

std::string runtime_record_body(const RuntimeDecision& d) {
  return nlohmann::json{{"container", d.container},
                        {"request", d.request},
                        {"rule", d.rule},
                        {"outcome", d.outcome},
                        {"reason", d.reason}}
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

PendingRecord RuntimeAudit::send(const RuntimeDecision& decision) const {
  if (!enabled()) return PendingRecord(std::nullopt, socket_);
  return PendingRecord(core::net::PendingHttpRequest::send(socket_, "POST", "/audit/runtime-records",
                                                           runtime_record_body(decision), std::chrono::seconds(10)),
                       socket_);
}

Result<void> PendingRecord::written() {
  if (!request_) return {};
  const auto response = request_->response();
  if (!response) {
    return fail("its audit record could not be written: moatd does not answer on " + socket_ + " (" +
                response.error().message + ")");
  }
  if (response->status == 200) return {};
  std::string why = response->body;
  if (const auto doc = core::json::parse_strict(response->body);
      doc && doc->value.is_object() && doc->value.contains("message") && doc->value["message"].is_string()) {
    why = doc->value["message"].get<std::string>();
  }
  return fail("its audit record could not be written: moatd answered " + std::to_string(response->status) +
              ": " + why);
}

}  // namespace moat::runtime

#pragma once
// The responses moatd writes itself rather than relaying them: refusals in
// Docker's error shape {"message": "..."} (the docker CLI prints them as
// "Error response from daemon: <message>") and the interim 100 Continue.

#include <string>
#include <string_view>

#include "moatd/http/refusal.h"

namespace moat::moatd::proxy {

// "Forbidden" for 403; "Error" for codes without a phrase here.
std::string_view reason_phrase(int status);

// A complete HTTP/1.1 response with a JSON body {"message": message}.
// close_connection adds "Connection: close": the session closes after it.
std::string error_response(int status, std::string_view message, bool close_connection);

// The developer-facing text for a request the parser refused.
std::string refusal_message(const http::Refusal& refusal);

// Prefix of the 502 answered when the engine cannot be reached or breaks
// off before answering.
inline constexpr std::string_view kEngineUnreachable = "the Docker engine is not reachable: ";

inline constexpr std::string_view kContinueResponse = "HTTP/1.1 100 Continue\r\n\r\n";

}  // namespace moat::moatd::proxy

#include "moatd/proxy/error_response.h"

#include <gtest/gtest.h>

namespace moat::moatd::proxy {
namespace {

TEST(ErrorResponse, DockerJsonShapeWithLengthAndClose) {
  EXPECT_EQ(error_response(403, "no privileged containers", true),
            "HTTP/1.1 403 Forbidden\r\n"
            "Content-Type: application/json\r\n"
            "Content-Length: 39\r\n"
            "Connection: close\r\n"
            "\r\n"
            "{\"message\":\"no privileged containers\"}\n");
}

TEST(ErrorResponse, KeepAliveOmitsConnectionAndEscapesJson) {
  EXPECT_EQ(error_response(502, "say \"hi\"\n", false),
            "HTTP/1.1 502 Bad Gateway\r\n"
            "Content-Type: application/json\r\n"
            "Content-Length: 27\r\n"
            "\r\n"
            "{\"message\":\"say \\\"hi\\\"\\n\"}\n");
}

TEST(ErrorResponse, InvalidUtf8IsReplacedNotThrown) {
  const std::string r = error_response(400, std::string("bad \xff byte"), true);
  EXPECT_NE(r.find("{\"message\":\"bad \xEF\xBF\xBD byte\"}\n"), std::string::npos) << r;
}

TEST(ErrorResponse, ReasonPhrases) {
  EXPECT_EQ(reason_phrase(400), "Bad Request");
  EXPECT_EQ(reason_phrase(413), "Payload Too Large");
  EXPECT_EQ(reason_phrase(431), "Request Header Fields Too Large");
  EXPECT_EQ(reason_phrase(499), "Error");
}

TEST(ErrorResponse, RefusalMessagesNameMoat) {
  EXPECT_EQ(refusal_message(http::Refusal{400, "bare LF in the request head"}),
            "Moat refused a malformed request: bare LF in the request head");
  EXPECT_EQ(refusal_message(http::Refusal{413, "body too large"}), "Moat refused the request: body too large");
}

}  // namespace
}  // namespace moat::moatd::proxy

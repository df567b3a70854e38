#include "runtime/runtime_log.h"

#include <gtest/gtest.h>

namespace moat::runtime {
namespace {

TEST(RuntimeLog, JsonLinesLookLikeRuncs) {
  EXPECT_EQ(format_log_line("error", "moat-runc: no \"x\"", "json", "2026-01-02T03:04:05Z"),
            R"({"level":"error","msg":"moat-runc: no \"x\"","time":"2026-01-02T03:04:05Z"})");
}

TEST(RuntimeLog, TextLinesLookLikeLogrus) {
  EXPECT_EQ(format_log_line("warning", "a \"b\"", "text", "2026-01-02T03:04:05Z"),
            R"(time="2026-01-02T03:04:05Z" level=warning msg="a \"b\"")");
}

}  // namespace
}  // namespace moat::runtime

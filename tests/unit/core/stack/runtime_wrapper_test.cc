#include "core/stack/runtime_wrapper.h"

#include <gtest/gtest.h>

namespace moat::core::stack {
namespace {

using Args = std::vector<std::string>;

TEST(RuntimeWrapper, IsOneInterpreterLineWhenThePathsAllowIt) {
  EXPECT_EQ(runtime_wrapper_text("/usr/sbin/moat-runc", "/var/lib/moat/runtime", "/run/moat/control.sock"),
            "#!/usr/sbin/moat-runc --moat-wrapper=/var/lib/moat/runtime:/run/moat/control.sock\n"
            "# Written by moatctl up: the engine's runc is Moat's isolating runtime.\n");
}

TEST(RuntimeWrapper, IsAShellScriptWhenAPathHasAColonASpaceOrIsTooLong) {
  const std::string sh_prefix = "#!/bin/sh\n";
  EXPECT_EQ(runtime_wrapper_text("/usr/sbin/moat-runc", "/srv/a:b/runtime", "/run/moat/control.sock"),
            "#!/bin/sh\n# Written by moatctl up: the engine's runc is Moat's isolating runtime.\n"
            "exec '/usr/sbin/moat-runc' --moat-state '/srv/a:b/runtime' --moat-audit '/run/moat/control.sock' \"$@\"\n");
  EXPECT_TRUE(runtime_wrapper_text("/opt/my tools/moat-runc", "/s", "/c").starts_with(sh_prefix));
  EXPECT_TRUE(runtime_wrapper_text("/usr/sbin/moat-runc", "/s", "/it's here/c.sock").find("'/it'\\''s here/c.sock'") !=
              std::string::npos);
  const std::string long_dir = "/" + std::string(240, 'd');
  EXPECT_TRUE(runtime_wrapper_text("/usr/sbin/moat-runc", long_dir, "/c").starts_with(sh_prefix));
  EXPECT_TRUE(runtime_wrapper_text("/usr/sbin/moat-runc", "relative/dir", "/c").starts_with(sh_prefix));
}

TEST(RuntimeWrapper, ArgumentsFromTheInterpreterLineBecomeMoatFlags) {
  const Args kernel{"--moat-wrapper=/var/lib/moat/runtime:/run/moat/control.sock", "/var/lib/moat/runtime-bin/runc",
                    "--root", "/r", "delete", "id"};
  auto expanded = expand_wrapper_args(kernel);
  ASSERT_TRUE(expanded) << expanded.error().message;
  EXPECT_EQ(*expanded, (Args{"--moat-state", "/var/lib/moat/runtime", "--moat-audit", "/run/moat/control.sock",
                             "--root", "/r", "delete", "id"}));
}

TEST(RuntimeWrapper, OtherArgumentsAreLeftAlone) {
  const Args direct{"--moat-state", "/s", "--root", "/r", "start", "--moat-wrapper=/a:/b"};
  auto expanded = expand_wrapper_args(direct);
  ASSERT_TRUE(expanded);
  EXPECT_EQ(*expanded, direct);
  auto none = expand_wrapper_args(Args{});
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

TEST(RuntimeWrapper, AMalformedWrapperArgumentIsRefused) {
  for (const Args& bad : {Args{"--moat-wrapper=/s:/c"}, Args{"--moat-wrapper=/s", "/w", "state", "x"},
                          Args{"--moat-wrapper=:/c", "/w"}, Args{"--moat-wrapper=/s:", "/w"},
                          Args{"--moat-wrapper=/s:/c", "state", "x"}}) {
    auto expanded = expand_wrapper_args(bad);
    ASSERT_FALSE(expanded) << bad.front();
    EXPECT_TRUE(expanded.error().message.starts_with(
        "moat-runc: --moat-wrapper=STATE:SOCKET comes only from the \"#!\" line of the engine's runc"))
        << expanded.error().message;
  }
}

}  // namespace
}  // namespace moat::core::stack

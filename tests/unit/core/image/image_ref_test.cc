#include "core/image/image_ref.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace moat::core::image {
namespace {

// Expected values match what Docker Engine's reference parser
// (distribution/reference ParseNormalizedNamed, go-digest 1.0.0) returns for
// the same input. To keep long inputs readable, "{H}" stands for a sample
// sha256 hex string, "{HU}" for it in upper case, and "{text*n}" for text
// repeated n times.
constexpr std::string_view kSampleHex =
    "dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c";

std::string expand(std::string_view pattern) {
  std::string out;
  std::size_t pos = 0;
  while (pos < pattern.size()) {
    const std::size_t open = pattern.find('{', pos);
    if (open == std::string_view::npos) break;
    const std::size_t close = pattern.find('}', open);
    out.append(pattern.substr(pos, open - pos));
    const std::string_view inner = pattern.substr(open + 1, close - open - 1);
    if (inner == "H") {
      out.append(kSampleHex);
    } else if (inner == "HU") {
      for (const char c : kSampleHex) {
        out.push_back(c >= 'a' && c <= 'f' ? static_cast<char>(c - 'a' + 'A') : c);
      }
    } else {
      const std::size_t star = inner.rfind('*');
      const std::string_view text = inner.substr(0, star);
      const auto count = std::stoul(std::string(inner.substr(star + 1)));
      for (unsigned long i = 0; i < count; ++i) out.append(text);
    }
    pos = close + 1;
  }
  out.append(pattern.substr(pos));
  return out;
}

struct ValidCase {
  std::string input;
  std::string normalized;
  std::string familiar;
  std::string registry;
};

struct InvalidCase {
  std::string input;
  ImageRefErrorKind kind;
  std::string message;
};

void PrintTo(const ValidCase& c, std::ostream* os) { *os << '"' << c.input << '"'; }
void PrintTo(const InvalidCase& c, std::ostream* os) { *os << '"' << c.input << '"'; }

const std::vector<ValidCase> kValid = {
    {"busybox", "docker.io/library/busybox:latest", "busybox:latest", "docker.io"},
    {"busybox:1.36", "docker.io/library/busybox:1.36", "busybox:1.36", "docker.io"},
    {"library/busybox", "docker.io/library/busybox:latest", "busybox:latest", "docker.io"},
    {"docker.io/busybox", "docker.io/library/busybox:latest", "busybox:latest", "docker.io"},
    {"docker.io/library/busybox",
     "docker.io/library/busybox:latest",
     "busybox:latest",
     "docker.io"},
    {"index.docker.io/busybox", "docker.io/library/busybox:latest", "busybox:latest", "docker.io"},
    {"index.docker.io/library/busybox:latest",
     "docker.io/library/busybox:latest",
     "busybox:latest",
     "docker.io"},
    {"registry-1.docker.io/library/busybox",
     "registry-1.docker.io/library/busybox:latest",
     "registry-1.docker.io/library/busybox:latest",
     "docker.io"},
    {"registry-1.docker.io/busybox",
     "registry-1.docker.io/busybox:latest",
     "registry-1.docker.io/busybox:latest",
     "docker.io"},
    {"INDEX.docker.io/busybox",
     "INDEX.docker.io/busybox:latest",
     "INDEX.docker.io/busybox:latest",
     "docker.io"},
    {"Docker.io/busybox", "Docker.io/busybox:latest", "Docker.io/busybox:latest", "docker.io"},
    {"docker.io:443/busybox",
     "docker.io:443/busybox:latest",
     "docker.io:443/busybox:latest",
     "docker.io:443"},
    {"dmcgowan/myapp", "docker.io/dmcgowan/myapp:latest", "dmcgowan/myapp:latest", "docker.io"},
    {"dmcgowan/myapp:latest",
     "docker.io/dmcgowan/myapp:latest",
     "dmcgowan/myapp:latest",
     "docker.io"},
    {"docker.io/dmcgowan/myapp",
     "docker.io/dmcgowan/myapp:latest",
     "dmcgowan/myapp:latest",
     "docker.io"},
    {"library/foo/bar", "docker.io/library/foo/bar:latest", "library/foo/bar:latest", "docker.io"},
    {"docker.io/library/foo/bar",
     "docker.io/library/foo/bar:latest",
     "library/foo/bar:latest",
     "docker.io"},
    {"store/foo/bar", "docker.io/store/foo/bar:latest", "store/foo/bar:latest", "docker.io"},
    {"other/library", "docker.io/other/library:latest", "other/library:latest", "docker.io"},
    {"a/b/c/d/e", "docker.io/a/b/c/d/e:latest", "a/b/c/d/e:latest", "docker.io"},
    {"ubuntu-12.04-base",
     "docker.io/library/ubuntu-12.04-base:latest",
     "ubuntu-12.04-base:latest",
     "docker.io"},
    {"localhost", "docker.io/library/localhost:latest", "localhost:latest", "docker.io"},
    {"localhost:5000", "docker.io/library/localhost:5000", "localhost:5000", "docker.io"},
    {"localhost/foo", "localhost/foo:latest", "localhost/foo:latest", "localhost"},
    {"localhost:5000/foo",
     "localhost:5000/foo:latest",
     "localhost:5000/foo:latest",
     "localhost:5000"},
    {"localhost:5000/foo/bar:1.0",
     "localhost:5000/foo/bar:1.0",
     "localhost:5000/foo/bar:1.0",
     "localhost:5000"},
    {"LOCALHOST/foo", "LOCALHOST/foo:latest", "LOCALHOST/foo:latest", "localhost"},
    {"example.com/foo", "example.com/foo:latest", "example.com/foo:latest", "example.com"},
    {"example.com:8000/private/moonbase",
     "example.com:8000/private/moonbase:latest",
     "example.com:8000/private/moonbase:latest",
     "example.com:8000"},
    {"Example.COM/foo", "Example.COM/foo:latest", "Example.COM/foo:latest", "example.com"},
    {"test_com/foo", "docker.io/test_com/foo:latest", "test_com/foo:latest", "docker.io"},
    {"test-com:8080/foo", "test-com:8080/foo:latest", "test-com:8080/foo:latest", "test-com:8080"},
    {"xn--n3h.com/myimage:xn--n3h.com",
     "xn--n3h.com/myimage:xn--n3h.com",
     "xn--n3h.com/myimage:xn--n3h.com",
     "xn--n3h.com"},
    {"sub-dom1.foo.com/bar/baz/quux:some-long-tag",
     "sub-dom1.foo.com/bar/baz/quux:some-long-tag",
     "sub-dom1.foo.com/bar/baz/quux:some-long-tag",
     "sub-dom1.foo.com"},
    {"b.gcr.io/test.example.com/my-app:test.example.com",
     "b.gcr.io/test.example.com/my-app:test.example.com",
     "b.gcr.io/test.example.com/my-app:test.example.com",
     "b.gcr.io"},
    {"Foo/bar", "Foo/bar:latest", "Foo/bar:latest", "foo"},
    {"FOO/bar:v1", "FOO/bar:v1", "FOO/bar:v1", "foo"},
    {"foo:5000/bar", "foo:5000/bar:latest", "foo:5000/bar:latest", "foo:5000"},
    {"127.0.0.1:5000/docker/docker",
     "127.0.0.1:5000/docker/docker:latest",
     "127.0.0.1:5000/docker/docker:latest",
     "127.0.0.1:5000"},
    {"192.168.0.1/debian", "192.168.0.1/debian:latest", "192.168.0.1/debian:latest", "192.168.0.1"},
    {"192.168.0.1", "docker.io/library/192.168.0.1:latest", "192.168.0.1:latest", "docker.io"},
    {"192.168.0.1:80", "docker.io/library/192.168.0.1:80", "192.168.0.1:80", "docker.io"},
    {"localhost:99999999999/foo",
     "localhost:99999999999/foo:latest",
     "localhost:99999999999/foo:latest",
     "localhost:99999999999"},
    {"[::1]/foo", "[::1]/foo:latest", "[::1]/foo:latest", "[::1]"},
    {"[::1]:5000/foo", "[::1]:5000/foo:latest", "[::1]:5000/foo:latest", "[::1]:5000"},
    {"[2001:db8::1]:5000/x",
     "[2001:db8::1]:5000/x:latest",
     "[2001:db8::1]:5000/x:latest",
     "[2001:db8::1]:5000"},
    {"[2001:DB8::1]:5000/x",
     "[2001:DB8::1]:5000/x:latest",
     "[2001:DB8::1]:5000/x:latest",
     "[2001:db8::1]:5000"},
    {"[2001:db8:0:0:0:0:0:1]:5000/x",
     "[2001:db8:0:0:0:0:0:1]:5000/x:latest",
     "[2001:db8:0:0:0:0:0:1]:5000/x:latest",
     "[2001:db8::1]:5000"},
    {"[fc00:1:2:3:4:5:6:7]:5000/library/debian",
     "[fc00:1:2:3:4:5:6:7]:5000/library/debian:latest",
     "[fc00:1:2:3:4:5:6:7]:5000/library/debian:latest",
     "[fc00:1:2:3:4:5:6:7]:5000"},
    {"[2001:db8::]:5000/repo",
     "[2001:db8::]:5000/repo:latest",
     "[2001:db8::]:5000/repo:latest",
     "[2001:db8::]:5000"},
    {"foo:TAG", "docker.io/library/foo:TAG", "foo:TAG", "docker.io"},
    {"foo:_", "docker.io/library/foo:_", "foo:_", "docker.io"},
    {"foo:a.b-c_d", "docker.io/library/foo:a.b-c_d", "foo:a.b-c_d", "docker.io"},
    {"foo:v1.0.0-rc.1", "docker.io/library/foo:v1.0.0-rc.1", "foo:v1.0.0-rc.1", "docker.io"},
    {"foo:0", "docker.io/library/foo:0", "foo:0", "docker.io"},
    {"busybox@sha256:{H}",
     "docker.io/library/busybox@sha256:{H}",
     "busybox@sha256:{H}",
     "docker.io"},
    {"busybox:latest@sha256:{H}",
     "docker.io/library/busybox:latest@sha256:{H}",
     "busybox:latest@sha256:{H}",
     "docker.io"},
    {"foo@sha512:{f*128}",
     "docker.io/library/foo@sha512:{f*128}",
     "foo@sha512:{f*128}",
     "docker.io"},
    {"foo@sha384:{a*96}", "docker.io/library/foo@sha384:{a*96}", "foo@sha384:{a*96}", "docker.io"},
    {"example.com:8000/named@sha256:{H}",
     "example.com:8000/named@sha256:{H}",
     "example.com:8000/named@sha256:{H}",
     "example.com:8000"},
    {"localhost:5000/x:1@sha256:{H}",
     "localhost:5000/x:1@sha256:{H}",
     "localhost:5000/x:1@sha256:{H}",
     "localhost:5000"},
    {"[::1]:5000/x:tag@sha256:{f*64}",
     "[::1]:5000/x:tag@sha256:{f*64}",
     "[::1]:5000/x:tag@sha256:{f*64}",
     "[::1]:5000"},
    {"a__b", "docker.io/library/a__b:latest", "a__b:latest", "docker.io"},
    {"a--b", "docker.io/library/a--b:latest", "a--b:latest", "docker.io"},
    {"a---b", "docker.io/library/a---b:latest", "a---b:latest", "docker.io"},
    {"a.b", "docker.io/library/a.b:latest", "a.b:latest", "docker.io"},
    {"a_b", "docker.io/library/a_b:latest", "a_b:latest", "docker.io"},
    {"a.b.c", "docker.io/library/a.b.c:latest", "a.b.c:latest", "docker.io"},
    {"a-b_c.d", "docker.io/library/a-b_c.d:latest", "a-b_c.d:latest", "docker.io"},
    {"a0/b1__c2/d3--e4",
     "docker.io/a0/b1__c2/d3--e4:latest",
     "a0/b1__c2/d3--e4:latest",
     "docker.io"},
    {"docker.io/{H}", "docker.io/library/{H}:latest", "{H}:latest", "docker.io"},
    {"{H}:tag", "docker.io/library/{H}:tag", "{H}:tag", "docker.io"},
    {"{d*63}", "docker.io/library/{d*63}:latest", "{d*63}:latest", "docker.io"},
    {"{a*65}", "docker.io/library/{a*65}:latest", "{a*65}:latest", "docker.io"},
    {"thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev",
     "docker.io/library/thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev:latest",
     "thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev:latest",
     "docker.io"},
    {"foo_bar.com/baz", "foo_bar.com/baz:latest", "foo_bar.com/baz:latest", ""},
    {"foo_bar.com:8080", "docker.io/library/foo_bar.com:8080", "foo_bar.com:8080", "docker.io"},
    {"foo/foo_bar.com:8080", "docker.io/foo/foo_bar.com:8080", "foo/foo_bar.com:8080", "docker.io"},
    {"example.com/{a*255}",
     "example.com/{a*255}:latest",
     "example.com/{a*255}:latest",
     "example.com"},
    {"{a*247}", "docker.io/library/{a*247}:latest", "{a*247}:latest", "docker.io"},
    {"{a/*127}a:tag", "docker.io/{a/*127}a:tag", "{a/*127}a:tag", "docker.io"},
    {"foo:{t*128}", "docker.io/library/foo:{t*128}", "foo:{t*128}", "docker.io"},
};

const std::vector<InvalidCase> kInvalid = {
    {"", ImageRefErrorKind::kInvalidFormat, "invalid reference format"},
    {" ", ImageRefErrorKind::kInvalidFormat, "invalid reference format"},
    {"busybox ", ImageRefErrorKind::kInvalidFormat, "invalid reference format"},
    {" busybox", ImageRefErrorKind::kInvalidFormat, "invalid reference format"},
    {"busy box", ImageRefErrorKind::kInvalidFormat, "invalid reference format"},
    {"busybox\n", ImageRefErrorKind::kInvalidFormat, "invalid reference format"},
    {"\tbusybox", ImageRefErrorKind::kInvalidFormat, "invalid reference format"},
    {"https://github.com/docker/docker",
     ImageRefErrorKind::kInvalidFormat,
     "invalid reference format"},
    {"docker/Docker",
     ImageRefErrorKind::kUppercase,
     "invalid reference format: repository name (docker/Docker) must be lowercase"},
    {"Busybox",
     ImageRefErrorKind::kUppercase,
     "invalid reference format: repository name (library/Busybox) must be lowercase"},
    {"BUSYBOX:latest",
     ImageRefErrorKind::kUppercase,
     "invalid reference format: repository name (library/BUSYBOX) must be lowercase"},
    {"docker.io/docker/Docker",
     ImageRefErrorKind::kUppercase,
     "invalid reference format: repository name (docker/Docker) must be lowercase"},
    {"localhost:5000/Foo",
     ImageRefErrorKind::kUppercase,
     "invalid reference format: repository name (Foo) must be lowercase"},
    {"test:5000/Uppercase/lowercase:tag",
     ImageRefErrorKind::kUppercase,
     "invalid reference format: repository name (Uppercase/lowercase) must be lowercase"},
    {"Uppercase:tag",
     ImageRefErrorKind::kUppercase,
     "invalid reference format: repository name (library/Uppercase) must be lowercase"},
    {"Foo_Bar.com/baz", ImageRefErrorKind::kUppercase, "repository name must be lowercase"},
    {"-docker", ImageRefErrorKind::kInvalidFormat, "invalid reference format"},
    {"-docker/docker", ImageRefErrorKind::kInvalidFormat, "invalid reference format"},
    {"docker-/docker", ImageRefErrorKind::kInvalidFormat, "invalid reference format"},
    {"-docker.io/docker/docker", ImageRefErrorKind::kInvalidFormat, "invalid reference format"},
    {"docker///docker", ImageRefErrorKind::kInvalidFormat, "invalid reference format"},
    {"docker/", ImageRefErrorKind::kInvalidFormat, "invalid reference format"},
    {"/docker", ImageRefErrorKind::kInvalidFormat, "invalid reference format"},
    {"docker//docker", ImageRefErrorKind::kInvalidFormat, "invalid reference format"},
    {"____/____", ImageRefErrorKind::kInvalidFormat, "invalid reference format"},
    {"_docker/_docker", ImageRefErrorKind::kInvalidFormat, "invalid reference format"},
    {"dock..er/docker", ImageRefErrorKind::kInvalidFormat, "invalid reference format"},
    {"dock_.er/docker", ImageRefErrorKind::kInvalidFormat, "invalid reference format"},
    {"dock-.er/docker", ImageRefErrorKind::kInvalidFormat, "invalid reference format"},
    {"a___b", ImageRefErrorKind::kInvalidFormat, "invalid reference format"},
    {"a.", ImageRefErrorKind::kInvalidFormat, "invalid reference format"},
    {"a..b", ImageRefErrorKind::kInvalidFormat, "invalid reference format"},
    {"a_", ImageRefErrorKind::kInvalidFormat, "invalid reference format"},
    {"example.com./foo", ImageRefErrorKind::kInvalidFormat, "invalid reference format"},
    {"[fc00::1]", ImageRefErrorKind::kInvalidFormat, "invalid reference format"},
    {"[fc00::1]:5000", ImageRefErrorKind::kInvalidFormat, "invalid reference format"},
    {"fc00::1:5000/debian", ImageRefErrorKind::kInvalidFormat, "invalid reference format"},
    {"[fe80::1%eth0]:5000/debian", ImageRefErrorKind::kInvalidFormat, "invalid reference format"},
    {"[2001:db8:3:4::192.0.2.33]:5000/debian",
     ImageRefErrorKind::kInvalidFormat,
     "invalid reference format"},
    {"[]/foo", ImageRefErrorKind::kInvalidFormat, "invalid reference format"},
    {"[::1/foo", ImageRefErrorKind::kInvalidFormat, "invalid reference format"},
    {"localhost:/foo", ImageRefErrorKind::kInvalidFormat, "invalid reference format"},
    {"localhost:abc/foo", ImageRefErrorKind::kInvalidFormat, "invalid reference format"},
    {"{H}",
     ImageRefErrorKind::kHexIdentifier,
     "invalid repository name ({H}), cannot specify 64-byte hexadecimal strings"},
    {"example.com/{a*256}",
     ImageRefErrorKind::kNameTooLong,
     "repository name must not be more than 255 characters"},
    {"{a*248}",
     ImageRefErrorKind::kNameTooLong,
     "repository name must not be more than 255 characters"},
    {"{a/*128}a:tag",
     ImageRefErrorKind::kNameTooLong,
     "repository name must not be more than 255 characters"},
    {"foo:", ImageRefErrorKind::kInvalidFormat, "invalid reference format"},
    {"foo:-tag", ImageRefErrorKind::kInvalidFormat, "invalid reference format"},
    {"foo:.tag", ImageRefErrorKind::kInvalidFormat, "invalid reference format"},
    {"foo:{t*129}", ImageRefErrorKind::kInvalidFormat, "invalid reference format"},
    {"foo:a:b", ImageRefErrorKind::kInvalidFormat, "invalid reference format"},
    {"foo:tag/x", ImageRefErrorKind::kInvalidFormat, "invalid reference format"},
    {"foo:ta g", ImageRefErrorKind::kInvalidFormat, "invalid reference format"},
    {":justtag", ImageRefErrorKind::kInvalidFormat, "invalid reference format"},
    {"@sha256:{f*64}", ImageRefErrorKind::kInvalidFormat, "invalid reference format"},
    {"foo@", ImageRefErrorKind::kInvalidFormat, "invalid reference format"},
    {"foo@sha256:abc", ImageRefErrorKind::kInvalidFormat, "invalid reference format"},
    {"foo@sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9",
     ImageRefErrorKind::kInvalidDigest,
     "invalid checksum digest length"},
    {"foo@sha256:{HU}", ImageRefErrorKind::kInvalidDigest, "invalid checksum digest format"},
    {"foo:1@sha256:{HU}", ImageRefErrorKind::kInvalidDigest, "invalid checksum digest format"},
    {"foo@SHA256:{H}",
     ImageRefErrorKind::kUppercase,
     "invalid reference format: repository name (library/foo@SHA256) must be lowercase"},
    {"foo:1@SHA256:{H}", ImageRefErrorKind::kInvalidDigest, "invalid checksum digest format"},
    {"foo@md5:{f*32}", ImageRefErrorKind::kUnsupportedDigest, "unsupported digest algorithm"},
    {"foo@sha256+b64:{H}", ImageRefErrorKind::kUnsupportedDigest, "unsupported digest algorithm"},
    {"validname@invaliddigest:{f*64}",
     ImageRefErrorKind::kUnsupportedDigest,
     "unsupported digest algorithm"},
    {"foo@sha512:{H}", ImageRefErrorKind::kInvalidDigest, "invalid checksum digest length"},
    {"foo@sha256:{g*64}", ImageRefErrorKind::kInvalidFormat, "invalid reference format"},
    {"foo@1sha:{f*32}", ImageRefErrorKind::kInvalidFormat, "invalid reference format"},
    {"foo@sha256:{H}@sha256:{H}", ImageRefErrorKind::kInvalidFormat, "invalid reference format"},
    {"b\xC3\xBCsybox", ImageRefErrorKind::kInvalidFormat, "invalid reference format"},
    {"\xC3\x9C" "ber/foo", ImageRefErrorKind::kInvalidFormat, "invalid reference format"},
    {"foo/\xC3\x9C" "ber",
     ImageRefErrorKind::kUppercase,
     "invalid reference format: repository name (foo/\xC3\x9C" "ber) must be lowercase"},
    {"foo:\xE2\x84\xAA", ImageRefErrorKind::kUppercase, "repository name must be lowercase"},
    {"foo:tag\xC4\xB0", ImageRefErrorKind::kUppercase, "repository name must be lowercase"},
    {"\xFF",
     ImageRefErrorKind::kUppercase,
     "invalid reference format: repository name (library/\xFF) must be lowercase"},
    {"\xEF\xBD\x82usybox", ImageRefErrorKind::kInvalidFormat, "invalid reference format"},
    {"busybox\xE2\x80\x8B", ImageRefErrorKind::kInvalidFormat, "invalid reference format"},
};

class ValidReference : public ::testing::TestWithParam<ValidCase> {};

TEST_P(ValidReference, ParsesLikeTheEngine) {
  const ValidCase& c = GetParam();
  const auto ref = parse_image_ref(expand(c.input));
  ASSERT_TRUE(ref) << ref.error().message;
  EXPECT_EQ(ref->normalized(), expand(c.normalized));
  EXPECT_EQ(ref->familiar(), expand(c.familiar));
  EXPECT_EQ(ref->registry(), c.registry);
  // What the engine pulls is itself a reference that reads back the same.
  const auto again = parse_image_ref(ref->normalized());
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->normalized(), ref->normalized());
}

INSTANTIATE_TEST_SUITE_P(Table, ValidReference, ::testing::ValuesIn(kValid));

class InvalidReference : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(InvalidReference, IsRefusedWithTheEnginesMessage) {
  const InvalidCase& c = GetParam();
  const auto ref = parse_image_ref(expand(c.input));
  ASSERT_FALSE(ref) << "parsed as " << ref->normalized();
  EXPECT_EQ(ref.error().message, expand(c.message));
  EXPECT_EQ(ref.error().kind, c.kind);
}

INSTANTIATE_TEST_SUITE_P(Table, InvalidReference, ::testing::ValuesIn(kInvalid));

TEST(ImageRef, KeepsWhatWasWrittenApartFromWhatIsImplied) {
  const auto ref = parse_image_ref("busybox");
  ASSERT_TRUE(ref) << ref.error().message;
  EXPECT_EQ(ref->domain, "docker.io");
  EXPECT_EQ(ref->path, "library/busybox");
  EXPECT_FALSE(ref->tag.has_value());
  EXPECT_FALSE(ref->digest.has_value());
  EXPECT_EQ(ref->name(), "docker.io/library/busybox");
  EXPECT_EQ(ref->to_string(), "docker.io/library/busybox");
  EXPECT_EQ(ref->normalized(), "docker.io/library/busybox:latest");
}

TEST(ImageRef, KeepsBothTagAndDigest) {
  const std::string digest = "sha256:" + std::string(kSampleHex);
  const auto ref = parse_image_ref("localhost:5000/team/app:1.2@" + digest);
  ASSERT_TRUE(ref) << ref.error().message;
  EXPECT_EQ(ref->domain, "localhost:5000");
  EXPECT_EQ(ref->path, "team/app");
  EXPECT_EQ(ref->tag, "1.2");
  EXPECT_EQ(ref->digest, digest);
  EXPECT_EQ(ref->to_string(), "localhost:5000/team/app:1.2@" + digest);
  EXPECT_EQ(ref->normalized(), ref->to_string());
}

TEST(ImageRef, DigestAloneGetsNoDefaultTag) {
  const std::string digest = "sha256:" + std::string(kSampleHex);
  const auto ref = parse_image_ref("busybox@" + digest);
  ASSERT_TRUE(ref) << ref.error().message;
  EXPECT_FALSE(ref->tag.has_value());
  EXPECT_EQ(ref->normalized(), "docker.io/library/busybox@" + digest);
  EXPECT_EQ(ref->familiar(), "busybox@" + digest);
}

TEST(ImageRef, UnderscoreHostBecomesPathWithNoRegistry) {
  // The engine's grammar reads "foo_bar.com" as a path element, not a host:
  // there is no registry to allow, so the key is empty.
  const auto ref = parse_image_ref("foo_bar.com/app:1");
  ASSERT_TRUE(ref) << ref.error().message;
  EXPECT_EQ(ref->domain, "");
  EXPECT_EQ(ref->path, "foo_bar.com/app");
  EXPECT_EQ(ref->name(), "foo_bar.com/app");
  EXPECT_EQ(ref->registry(), "");
}

TEST(ImageRef, FamiliarFormIsNotSafeToParseAgain) {
  // Docker Hub repository "example.com/app" displays like an image on
  // registry example.com; only normalized() keeps the registry.
  const auto hub = parse_image_ref("docker.io/example.com/app");
  ASSERT_TRUE(hub) << hub.error().message;
  EXPECT_EQ(hub->registry(), "docker.io");
  EXPECT_EQ(hub->familiar(), "example.com/app:latest");
  const auto misread = parse_image_ref(hub->familiar());
  ASSERT_TRUE(misread) << misread.error().message;
  EXPECT_EQ(misread->registry(), "example.com");
  const auto reread = parse_image_ref(hub->normalized());
  ASSERT_TRUE(reread) << reread.error().message;
  EXPECT_EQ(reread->registry(), "docker.io");
}

TEST(ImageRef, EmbeddedNulIsRefused) {
  const auto ref = parse_image_ref(std::string_view("busy\0box", 8));
  ASSERT_FALSE(ref);
  EXPECT_EQ(ref.error().message, "invalid reference format");
}

TEST(ImageRef, InvalidUtf8CountsAsUpperCaseLikeGo) {
  // Go lower-cases invalid bytes to U+FFFD, so the name "changes" and the
  // engine reports it as not lower case, quoting the raw byte.
  const auto ref = parse_image_ref("team/app\xFF");
  ASSERT_FALSE(ref);
  EXPECT_EQ(ref.error().kind, ImageRefErrorKind::kUppercase);
  EXPECT_EQ(ref.error().message,
            "invalid reference format: repository name (team/app\xFF) must be lowercase");
}

TEST(ImageRef, NonAsciiCapitalsInFirstElementMakeItAHost) {
  // "Ä" lowers to "ä", so the engine takes "Äb" for a registry host, which
  // then fails the host grammar; a lower-case "äb" stays a path element.
  const auto upper = parse_image_ref("\xC3\x84" "b/app");
  ASSERT_FALSE(upper);
  EXPECT_EQ(upper.error().message, "invalid reference format");
  const auto path = parse_image_ref("app/\xC3\x84" "b");
  ASSERT_FALSE(path);
  EXPECT_EQ(path.error().message,
            "invalid reference format: repository name (app/\xC3\x84" "b) must be lowercase");
}

struct RegistryKeyCase {
  std::string host;
  std::string key;
};

TEST(CanonicalRegistry, FoldsCaseDockerHubNamesAndIpv6Spelling) {
  const std::vector<RegistryKeyCase> cases = {
      {"docker.io", "docker.io"},
      {"index.docker.io", "docker.io"},
      {"INDEX.docker.io", "docker.io"},
      {"registry-1.docker.io", "docker.io"},
      {"Registry-1.Docker.IO", "docker.io"},
      {"docker.io:443", "docker.io:443"},
      {"registry-1.docker.io:443", "registry-1.docker.io:443"},
      {"Reg.Example:5000", "reg.example:5000"},
      {"localhost", "localhost"},
      {"LOCALHOST:5000", "localhost:5000"},
      {"127.0.0.1:5000", "127.0.0.1:5000"},
      {"[::1]", "[::1]"},
      {"[2001:DB8::1]:5000", "[2001:db8::1]:5000"},
      {"[2001:db8:0:0:0:0:0:1]:5000", "[2001:db8::1]:5000"},
      {"[2001:0db8::0001]", "[2001:db8::1]"},
      {"[:::::]", "[:::::]"},
      {"", ""},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(canonical_registry(c.host), c.key) << c.host;
  }
}

TEST(CanonicalRegistry, DoesNotAcceptAPrefixBeforeNul) {
  const std::string host("[::1\0x]", 7);
  EXPECT_EQ(canonical_registry(host), host);
}

TEST(ParseCanonical, AcceptsOnlyFullyWrittenReferences) {
  const std::string digest = "sha256:" + std::string(kSampleHex);
  for (const std::string& text :
       {std::string("docker.io/library/busybox"), std::string("docker.io/library/busybox:1"),
        "localhost:5000/app@" + digest, "Reg.Example/team/app:v1@" + digest}) {
    const auto ref = parse_canonical_image_ref(text);
    ASSERT_TRUE(ref) << text << ": " << ref.error().message;
    EXPECT_EQ(ref->to_string(), text);
  }
  for (const std::string_view text : {"busybox", "library/busybox", "docker.io/busybox",
                                 "index.docker.io/library/busybox", "team/app:1"}) {
    const auto ref = parse_canonical_image_ref(text);
    ASSERT_FALSE(ref) << text;
    EXPECT_EQ(ref.error().kind, ImageRefErrorKind::kNotCanonical) << text;
    EXPECT_EQ(ref.error().message, "repository name must be canonical") << text;
  }
}

TEST(ParseCanonical, ReportsParseErrorsFirst) {
  const auto ref = parse_canonical_image_ref("docker.io/library/Busybox");
  ASSERT_FALSE(ref);
  EXPECT_EQ(ref.error().message,
            "invalid reference format: repository name (library/Busybox) must be lowercase");
}

}  // namespace
}  // namespace moat::core::image

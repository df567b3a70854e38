#include "moatd/http/go_json.h"

#include <string>

#include <gtest/gtest.h>

#include "moatd/http/docker_api_v141.h"

namespace moat::moatd::http::go_json {
namespace {

namespace api = docker_api_v141;

// Returns the canonical body or "error: <pointer>: <message>".
std::string canon(std::string_view body, const Type& type = api::container_create()) {
  auto result = canonical_body(body, type);
  if (!result) return "error: " + result.error().pointer + ": " + result.error().message;
  return *result;
}

TEST(GoFold, MatchesLikeEncodingJson) {
  EXPECT_TRUE(go_fold_equal("Privileged", "Privileged"));
  EXPECT_TRUE(go_fold_equal("privileged", "Privileged"));
  EXPECT_TRUE(go_fold_equal("PRIVILEGED", "Privileged"));
  EXPECT_TRUE(go_fold_equal("Bind\xC5\xBF", "Binds"));           // U+017F long s
  EXPECT_TRUE(go_fold_equal("\xC5\xBFysctls", "Sysctls"));       // U+017F long s
  EXPECT_TRUE(go_fold_equal("Networ\xE2\x84\xAAMode", "NetworkMode"));  // U+212A Kelvin
  EXPECT_TRUE(go_fold_equal("\xE2\x84\xAA" "ernelMemory", "KernelMemory"));
  EXPECT_FALSE(go_fold_equal("Privileged ", "Privileged"));
  EXPECT_FALSE(go_fold_equal("Privilege", "Privileged"));
  EXPECT_FALSE(go_fold_equal("Pr\xC4\xB1vileged", "Privileged"));  // U+0131 dotless i: no
  EXPECT_FALSE(go_fold_equal("Prıvileged", "Privileged"));
  EXPECT_FALSE(go_fold_equal("Cap_Add", "CapAdd"));
  EXPECT_FALSE(go_fold_equal("", "Binds"));
}

TEST(GoJson, ExactKeysPassThroughUnchanged) {
  EXPECT_EQ(canon(R"({"Image":"alpine","HostConfig":{"Privileged":true}})"),
            R"({"HostConfig":{"Privileged":true},"Image":"alpine"})");
}

TEST(GoJson, LowerCaseKeyIsRefusedWithPath) {
  EXPECT_EQ(canon(R"({"Image":"alpine","HostConfig":{"privileged":true}})"),
            "error: /HostConfig/privileged: key \"privileged\" at /HostConfig matches field "
            "\"Privileged\" only under Go's case-insensitive matching; send the exact name "
            "\"Privileged\"");
}

TEST(GoJson, CaseVariantPairIsRefusedNamingBoth) {
  // encoding/json would apply both in order: the last one (true) wins.
  EXPECT_EQ(canon(R"({"HostConfig":{"Privileged":false,"privileged":true}})"),
            "error: /HostConfig/privileged: keys \"Privileged\" and \"privileged\" at /HostConfig "
            "all set field \"Privileged\" under Go's case-insensitive matching (dockerd keeps the "
            "last); send it once as \"Privileged\"");
}

TEST(GoJson, LongSIsRefused) {
  EXPECT_EQ(canon("{\"HostConfig\":{\"Bind\xC5\xBF\":[\"/:/host\"]}}"),
            "error: /HostConfig/Bind\xC5\xBF: key \"Bind\xC5\xBF\" at /HostConfig matches field "
            "\"Binds\" only under Go's case-insensitive matching; send the exact name \"Binds\"");
}

TEST(GoJson, LongSAlongsideTheRealKeyIsRefused) {
  EXPECT_EQ(canon("{\"HostConfig\":{\"Binds\":[],\"Bind\xC5\xBF\":[\"/:/host\"]}}"),
            "error: /HostConfig/Bind\xC5\xBF: keys \"Binds\" and \"Bind\xC5\xBF\" at /HostConfig "
            "all set field \"Binds\" under Go's case-insensitive matching (dockerd keeps the "
            "last); send it once as \"Binds\"");
}

TEST(GoJson, KelvinSignIsRefused) {
  EXPECT_EQ(canon("{\"HostConfig\":{\"Networ\xE2\x84\xAAMode\":\"host\"}}"),
            "error: /HostConfig/Networ\xE2\x84\xAAMode: key \"Networ\xE2\x84\xAAMode\" at "
            "/HostConfig matches field \"NetworkMode\" only under Go's case-insensitive matching; "
            "send the exact name \"NetworkMode\"");
}

TEST(GoJson, FoldedTopLevelHostConfigIsRefused) {
  EXPECT_EQ(canon(R"({"hostconfig":{"Privileged":true}})"),
            "error: /hostconfig: key \"hostconfig\" at the top level matches field \"HostConfig\" "
            "only under Go's case-insensitive matching; send the exact name \"HostConfig\"");
}

TEST(GoJson, ThreeVariantsAreAllNamed) {
  EXPECT_EQ(canon("{\"HostConfig\":{\"PidMode\":\"\",\"pidmode\":\"\",\"PIDMODE\":\"host\"}}"),
            "error: /HostConfig/pidmode: keys \"PIDMODE\", \"PidMode\" and \"pidmode\" at "
            "/HostConfig all set field \"PidMode\" under Go's case-insensitive matching (dockerd "
            "keeps the last); send it once as \"PidMode\"");
}

TEST(GoJson, ExactDuplicatesAreRefusedByTheStrictParser) {
  EXPECT_EQ(canon(R"({"HostConfig":{"Privileged":false,"Privileged":true}})"),
            "error: : body is not strict JSON: duplicate key \"Privileged\" at line 1, column 35");
}

TEST(GoJson, TrailingDataIsRefused) {
  // json.Decoder stops after the first value; a lenient reader might not.
  EXPECT_EQ(canon(R"({"Image":"alpine"}{"HostConfig":{"Privileged":true}})").substr(0, 40),
            "error: : body is not strict JSON: syntax");
}

TEST(GoJson, UnknownKeyIsRefusedWithPath) {
  EXPECT_EQ(canon(R"({"Image":"alpine","HostConfig":{"Capabilities":["CAP_SYS_ADMIN"]}})"),
            "error: /HostConfig/Capabilities: unknown key \"Capabilities\" at /HostConfig: "
            "HostConfig has no such field in Docker Engine API v1.41, so the policy cannot judge "
            "it; remove it");
}

TEST(GoJson, RootLevelHostConfigFieldsAreRefused) {
  // dockerd 20.10 still honours these when "HostConfig" is absent.
  EXPECT_EQ(canon(R"({"Image":"alpine","Binds":["/:/host"]})"),
            "error: /Binds: unknown key \"Binds\" at the top level: ContainerConfigWrapper has no "
            "such field in Docker Engine API v1.41, so the policy cannot judge it; remove it");
  EXPECT_EQ(canon(R"({"Image":"alpine","Privileged":true})"),
            "error: /Privileged: unknown key \"Privileged\" at the top level: "
            "ContainerConfigWrapper has no such field in Docker Engine API v1.41, so the policy "
            "cannot judge it; remove it");
  EXPECT_EQ(canon(R"({"Image":"alpine","Cpuset":"0"})"),
            "error: /Cpuset: unknown key \"Cpuset\" at the top level: ContainerConfigWrapper has "
            "no such field in Docker Engine API v1.41, so the policy cannot judge it; remove it");
}

TEST(GoJson, NestedArrayOfStructsIsChecked) {
  EXPECT_EQ(canon(R"({"HostConfig":{"Mounts":[{"Type":"tmpfs","Target":"/t"},)"
                  R"({"Type":"bind","Source":"/","Target":"/h","bindoptions":{"Propagation":"rshared"}}]}})"),
            "error: /HostConfig/Mounts/1/bindoptions: key \"bindoptions\" at /HostConfig/Mounts/1 "
            "matches field \"BindOptions\" only under Go's case-insensitive matching; send the "
            "exact name \"BindOptions\"");
  EXPECT_EQ(canon(R"({"HostConfig":{"Mounts":[{"Type":"volume","VolumeOptions":{"DriverConfig":)"
                  R"({"Name":"local","options":{"device":"/"}}}}]}})"),
            "error: /HostConfig/Mounts/0/VolumeOptions/DriverConfig/options: key \"options\" at "
            "/HostConfig/Mounts/0/VolumeOptions/DriverConfig matches field \"Options\" only under "
            "Go's case-insensitive matching; send the exact name \"Options\"");
}

TEST(GoJson, MapKeysAreDataAndNeverFolded) {
  EXPECT_EQ(canon(R"({"Labels":{"privileged":"x","Privileged":"y"},"HostConfig":{"Sysctls":{"net.ipv4.ip_forward":"1"}}})"),
            R"({"HostConfig":{"Sysctls":{"net.ipv4.ip_forward":"1"}},"Labels":{"Privileged":"y","privileged":"x"}})");
}

TEST(GoJson, MapValuesMustHaveTheElementType) {
  EXPECT_EQ(canon(R"({"Labels":{"a":1}})"), "error: /Labels/a: /Labels/a must be a string, got the integer 1");
  EXPECT_EQ(canon(R"({"Labels":{"a":null}})"),
            "error: /Labels/a: /Labels/a is null; Go would store a zero value there, send the "
            "value itself");
}

TEST(GoJson, WrongTypesAreRefused) {
  EXPECT_EQ(canon(R"({"HostConfig":{"Privileged":"true"}})"),
            "error: /HostConfig/Privileged: /HostConfig/Privileged must be a boolean, got a string");
  EXPECT_EQ(canon(R"({"HostConfig":{"Privileged":1}})"),
            "error: /HostConfig/Privileged: /HostConfig/Privileged must be a boolean, got the "
            "integer 1");
  EXPECT_EQ(canon(R"({"HostConfig":{"Binds":"/:/host"}})"),
            "error: /HostConfig/Binds: /HostConfig/Binds must be an array, got a string");
  EXPECT_EQ(canon(R"({"HostConfig":[]})"),
            "error: /HostConfig: /HostConfig must be an object (HostConfig), got an array");
  EXPECT_EQ(canon(R"([])"), "error: : the body must be an object (ContainerConfigWrapper), got an array");
  EXPECT_EQ(canon(R"(null)"),
            "error: : the body must be a JSON object (ContainerConfigWrapper), got null");
}

TEST(GoJson, IntegersFollowGoRanges) {
  EXPECT_EQ(canon(R"({"HostConfig":{"Memory":1.5}})"),
            "error: /HostConfig/Memory: /HostConfig/Memory must be an integer (Go int64, "
            "-9223372036854775808 to 9223372036854775807), got the number 1.5");
  EXPECT_EQ(canon(R"({"HostConfig":{"Memory":1e3}})"),
            "error: /HostConfig/Memory: /HostConfig/Memory must be an integer (Go int64, "
            "-9223372036854775808 to 9223372036854775807), got the number 1000.0");
  EXPECT_EQ(canon(R"({"HostConfig":{"Memory":9223372036854775808}})"),
            "error: /HostConfig/Memory: /HostConfig/Memory must be an integer (Go int64, "
            "-9223372036854775808 to 9223372036854775807), got the integer 9223372036854775808");
  EXPECT_EQ(canon(R"({"HostConfig":{"BlkioWeight":65536}})"),
            "error: /HostConfig/BlkioWeight: /HostConfig/BlkioWeight must be an integer (Go "
            "uint16, 0 to 65535), got the integer 65536");
  EXPECT_EQ(canon(R"({"HostConfig":{"IOMaximumIOps":-1}})"),
            "error: /HostConfig/IOMaximumIOps: /HostConfig/IOMaximumIOps must be an integer (Go "
            "uint64, 0 to 18446744073709551615), got the integer -1");
  EXPECT_EQ(canon(R"({"HostConfig":{"Memory":-1,"IOMaximumIOps":18446744073709551615}})"),
            R"({"HostConfig":{"IOMaximumIOps":18446744073709551615,"Memory":-1}})");
}

TEST(GoJson, StrSliceAcceptsAStringAndCanonicalisesToAnArray) {
  EXPECT_EQ(canon(R"({"Cmd":"ls -l","HostConfig":{"CapAdd":"SYS_ADMIN"}})"),
            R"({"Cmd":["ls -l"],"HostConfig":{"CapAdd":["SYS_ADMIN"]}})");
  EXPECT_EQ(canon(R"({"Entrypoint":1})"),
            "error: /Entrypoint: /Entrypoint must be a string or an array of strings, got the "
            "integer 1");
}

TEST(GoJson, NullIsKeptWhereGoKeepsItAndDroppedWhereItMeansZero) {
  EXPECT_EQ(canon(R"({"Entrypoint":null,"Image":null,"HostConfig":{"PidsLimit":null,"Privileged":null,"MaskedPaths":null}})"),
            R"({"Entrypoint":null,"HostConfig":{"MaskedPaths":null,"PidsLimit":null}})");
  EXPECT_EQ(canon(R"({"HostConfig":null})"), R"({"HostConfig":null})");
}

TEST(GoJson, NullArrayElementsAreRefused) {
  EXPECT_EQ(canon(R"({"HostConfig":{"Binds":["/a:/a",null]}})"),
            "error: /HostConfig/Binds/1: /HostConfig/Binds/1 is null; Go would store a zero value "
            "there, send the value itself");
  EXPECT_EQ(canon(R"({"HostConfig":{"Ulimits":[null]}})"),
            "error: /HostConfig/Ulimits/0: /HostConfig/Ulimits/0 is null; Go would store a zero "
            "value there, send the value itself");
}

TEST(GoJson, FixedArraysNeedTheirLength) {
  EXPECT_EQ(canon(R"({"HostConfig":{"ConsoleSize":[24,80]}})"),
            R"({"HostConfig":{"ConsoleSize":[24,80]}})");
  EXPECT_EQ(canon(R"({"HostConfig":{"ConsoleSize":[24,80,1]}})"),
            "error: /HostConfig/ConsoleSize: /HostConfig/ConsoleSize must be an array of exactly 2 "
            "elements, got an array");
}

TEST(GoJson, EmptyStructMapValuesMustBeEmpty) {
  EXPECT_EQ(canon(R"({"ExposedPorts":{"80/tcp":{}},"Volumes":{"/data":{}}})"),
            R"({"ExposedPorts":{"80/tcp":{}},"Volumes":{"/data":{}}})");
  EXPECT_EQ(canon(R"({"Volumes":{"/data":{"Source":"/"}}})"),
            "error: /Volumes/~1data/Source: unknown key \"Source\" at /Volumes/~1data: struct{} "
            "has no such field in Docker Engine API v1.41, so the policy cannot judge it; remove "
            "it");
}

TEST(GoJson, EscapedKeysAreComparedDecoded) {
  // "Privil\u0065ged" is "Privileged" once decoded: exact, accepted.
  EXPECT_EQ(canon(R"({"HostConfig":{"Privil\u0065ged":true}})"),
            R"({"HostConfig":{"Privileged":true}})");
  // "\u017f" spelled as an escape is still the long s.
  EXPECT_EQ(canon(R"({"HostConfig":{"Bind\u017f":[]}})"),
            "error: /HostConfig/Bind\xC5\xBF: key \"Bind\xC5\xBF\" at /HostConfig matches field "
            "\"Binds\" only under Go's case-insensitive matching; send the exact name \"Binds\"");
}

TEST(GoJson, ExecPrivilegedVariantsAreRefused) {
  EXPECT_EQ(canon(R"({"Cmd":["sh"],"privileged":true})", api::exec_create()),
            "error: /privileged: key \"privileged\" at the top level matches field "
            "\"Privileged\" only under Go's case-insensitive matching; send the exact name "
            "\"Privileged\"");
  EXPECT_EQ(canon(R"({"Cmd":"sh"})", api::exec_create()),
            "error: /Cmd: /Cmd must be an array, got a string");
}

TEST(GoJson, VolumeAndNetworkKeysAreChecked) {
  EXPECT_EQ(canon(R"({"Name":"v","driveropts":{"device":"/"}})", api::volume_create()),
            "error: /driveropts: key \"driveropts\" at the top level matches field "
            "\"DriverOpts\" only under Go's case-insensitive matching; send the exact name "
            "\"DriverOpts\"");
  EXPECT_EQ(canon(R"({"Name":"n","IPAM":{"Config":[{"AuxAddress":{"a":"1.2.3.4"}}]}})",
                  api::network_create()),
            "error: /IPAM/Config/0/AuxAddress: unknown key \"AuxAddress\" at /IPAM/Config/0: "
            "IPAMConfig has no such field in Docker Engine API v1.41, so the policy cannot judge "
            "it; remove it");
  EXPECT_EQ(canon(R"({"Memory":1,"restartpolicy":{"Name":"always"}})", api::container_update()),
            "error: /restartpolicy: key \"restartpolicy\" at the top level matches field "
            "\"RestartPolicy\" only under Go's case-insensitive matching; send the exact name "
            "\"RestartPolicy\"");
}

}  // namespace
}  // namespace moat::moatd::http::go_json

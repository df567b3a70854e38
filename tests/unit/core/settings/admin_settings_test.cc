#include "core/settings/admin_settings.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace moat::core::settings {
namespace {

std::string read_fixture(const std::string& name) {
  std::ifstream in(std::string(MOAT_FIXTURES) + "/settings/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Every problem of a file, formatted as `moatctl settings validate` prints them.
std::vector<std::string> problems_of(std::string_view text) {
  const auto parsed = parse_admin_settings(text);
  std::vector<std::string> out;
  if (!parsed) {
    for (const auto& p : parsed.error()) out.push_back(p.format("f.json"));
  }
  return out;
}

TEST(AdminSettings, AcceptsDockerDesktopDocumentedExample) {
  const auto parsed = parse_admin_settings(read_fixture("docker-desktop-example.json"));
  ASSERT_TRUE(parsed) << parsed.error().front().format("example");
  EXPECT_EQ(parsed->values.at("enhancedContainerIsolation").value, true);
  EXPECT_TRUE(parsed->values.at("enhancedContainerIsolation").locked);
  EXPECT_TRUE(parsed->values.at("enhancedContainerIsolation.dockerSocketMount.commandList.type").locked);
  EXPECT_FALSE(parsed->values.at("linuxVM.dockerDaemonOptions").locked);
  EXPECT_EQ(parsed->values.at("blockDockerLoad").value, true);
  EXPECT_EQ(parsed->values.at("filesharingAllowedDirectories").value.size(), 2U);
  EXPECT_TRUE(parsed->locks.at("proxy.http"));
  // Keys without meaning on a Linux engine are reported, never refused.
  bool saw_wsl = false;
  for (const auto& note : parsed->notes) {
    if (note.key == "linuxVM.wslEngineEnabled") {
      saw_wsl = true;
      EXPECT_EQ(note.message, "not applicable: applies to Docker Desktop's app or VM, not to a Linux engine");
    }
  }
  EXPECT_TRUE(saw_wsl);
}

TEST(AdminSettings, NormalisesCommaSeparatedExcludeLists) {
  const auto parsed = parse_admin_settings(
      R"({"configurationFileVersion": 2, "proxy": {"mode": "manual", "exclude": "a.example, b.example"}})");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->values.at("proxy.exclude").value, nlohmann::json({"a.example", "b.example"}));
  EXPECT_FALSE(parsed->values.at("proxy.exclude").locked);
}

struct Malformed {
  const char* name;
  const char* text;
  std::vector<std::string> expected;
};

class MalformedSettings : public ::testing::TestWithParam<Malformed> {};

TEST_P(MalformedSettings, ReportsEveryProblemWithPlace) {
  EXPECT_EQ(problems_of(GetParam().text), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Files, MalformedSettings,
    ::testing::Values(
        Malformed{"empty", "", {"f.json:1:1: syntax error while parsing value - unexpected end of input; expected '[', '{', or a literal"}},
        Malformed{"trailing_comma",
                  "{\"configurationFileVersion\": 2,\n}",
                  {"f.json:2:1: syntax error while parsing object key - unexpected '}'; expected string literal"}},
        Malformed{"bom", "\xEF\xBB\xBF{\"configurationFileVersion\": 2}",
                  {"f.json:1:1: starts with a UTF-8 byte order mark; save it as UTF-8 without BOM"}},
        Malformed{"duplicate_key",
                  "{\"configurationFileVersion\": 2,\n \"blockDockerLoad\": {\"value\": true},\n \"blockDockerLoad\": {\"value\": false}}",
                  {"f.json:3:2: duplicate key \"blockDockerLoad\""}},
        Malformed{"duplicate_nested_key",
                  "{\"configurationFileVersion\": 2, \"proxy\": {\"locked\": true, \"locked\": false}}",
                  {"f.json:1:59: duplicate key \"locked\""}},
        Malformed{"trailing_bytes", "{\"configurationFileVersion\": 2} x",
                  {"f.json:1:33: syntax error while parsing value - invalid literal; last read: '2} x'; expected end of input"}},
        Malformed{"not_an_object", "[2]",
                  {"f.json:1:1: the file must hold a JSON object, found an array"}},
        Malformed{"missing_version", "{}",
                  {"f.json:1:1: configurationFileVersion is missing; this reader understands version 2"}},
        Malformed{"version_1", "{\"configurationFileVersion\": 1}",
                  {"f.json:1:2: configurationFileVersion: version 1 (Docker Desktop Enterprise) is not supported; convert the file to version 2"}},
        Malformed{"version_3", "{\"configurationFileVersion\": 3}",
                  {"f.json:1:2: configurationFileVersion: version 3 is not supported; this reader understands version 2"}},
        Malformed{"version_string", "{\"configurationFileVersion\": \"2\"}",
                  {"f.json:1:2: configurationFileVersion: expected the number 2, found a string"}},
        Malformed{"unknown_key", "{\"configurationFileVersion\": 2,\n  \"enhancedContainerIsolaton\": {\"value\": true}}",
                  {"f.json:2:3: enhancedContainerIsolaton: unknown setting; not a Docker Desktop version 2 key or a Moat key"}},
        Malformed{"case_variant_key", "{\"configurationFileVersion\": 2, \"BlockDockerLoad\": {\"value\": true}}",
                  {"f.json:1:33: BlockDockerLoad: unknown setting; not a Docker Desktop version 2 key or a Moat key"}},
        Malformed{"bool_as_string", "{\"configurationFileVersion\": 2, \"blockDockerLoad\": {\"locked\": true, \"value\": \"true\"}}",
                  {"f.json:1:69: blockDockerLoad.value: expected true or false, found a string"}},
        Malformed{"locked_as_number", "{\"configurationFileVersion\": 2, \"blockDockerLoad\": {\"locked\": 1, \"value\": true}}",
                  {"f.json:1:53: blockDockerLoad.locked: expected true or false, found the number 1"}},
        Malformed{"leaf_not_object", "{\"configurationFileVersion\": 2, \"blockDockerLoad\": true}",
                  {"f.json:1:33: blockDockerLoad: expected an object, found true"}},
        Malformed{"locked_without_value", "{\"configurationFileVersion\": 2, \"blockDockerLoad\": {\"locked\": true}}",
                  {"f.json:1:33: blockDockerLoad: has \"locked\" but no \"value\""}},
        Malformed{"unknown_member_in_leaf", "{\"configurationFileVersion\": 2, \"blockDockerLoad\": {\"value\": true, \"lock\": true}}",
                  {"f.json:1:68: blockDockerLoad.lock: unknown setting; not a Docker Desktop version 2 key or a Moat key"}},
        Malformed{"proxy_mode_invalid", "{\"configurationFileVersion\": 2, \"proxy\": {\"mode\": \"auto\"}}",
                  {"f.json:1:43: proxy.mode: \"auto\" is not one of \"system\", \"manual\""}},
        Malformed{"port_out_of_range", "{\"configurationFileVersion\": 2, \"proxy\": {\"windowsDockerdPort\": 70000}}",
                  {"f.json:1:43: proxy.windowsDockerdPort: 70000 is out of range; expected -1 to 65535"}},
        Malformed{"port_float", "{\"configurationFileVersion\": 2, \"enableInferenceTCPPort\": {\"value\": 1.5}}",
                  {"f.json:1:60: enableInferenceTCPPort.value: expected a whole number, found the number 1.5"}},
        Malformed{"exclude_wrong_type", "{\"configurationFileVersion\": 2, \"proxy\": {\"exclude\": 5}}",
                  {"f.json:1:43: proxy.exclude: expected a comma-separated string or an array of strings, found the number 5"}},
        Malformed{"daemon_options_not_string",
                  "{\"configurationFileVersion\": 2, \"linuxVM\": {\"dockerDaemonOptions\": {\"value\": {\"debug\": true}}}}",
                  {"f.json:1:69: linuxVM.dockerDaemonOptions.value: expected a string holding a JSON object of dockerd options, found an object"}},
        Malformed{"daemon_options_bad_json",
                  "{\"configurationFileVersion\": 2, \"linuxVM\": {\"dockerDaemonOptions\": {\"value\": \"{\\\"debug\\\": }\"}}}",
                  {"f.json:1:69: linuxVM.dockerDaemonOptions.value: is not valid JSON: syntax error while parsing value - unexpected '}'; expected '[', '{', or a literal (inside the string, line 1 column 11)"}},
        Malformed{"daemon_options_owned_keys",
                  "{\"configurationFileVersion\": 2, \"linuxVM\": {\"dockerDaemonOptions\": {\"value\": \"{\\\"hosts\\\": [\\\"tcp://0.0.0.0:2375\\\"], \\\"default-runtime\\\": \\\"runc\\\", \\\"userns-remap\\\": \\\"default\\\"}\"}}}",
                  {"f.json:1:69: linuxVM.dockerDaemonOptions.value: \"default-runtime\" is owned by Moat and cannot be set: every container runs through Moat's isolating runtime",
                   "f.json:1:69: linuxVM.dockerDaemonOptions.value: \"hosts\" is owned by Moat and cannot be set: the engine listens only on Moat's root-only socket",
                   "f.json:1:69: linuxVM.dockerDaemonOptions.value: \"userns-remap\" is owned by Moat and cannot be set: Enhanced Container Isolation gives each container its own user namespace"}},
        Malformed{"daemon_options_unknown_key",
                  "{\"configurationFileVersion\": 2, \"linuxVM\": {\"dockerDaemonOptions\": {\"value\": \"{\\\"debugg\\\": true}\"}}}",
                  {"f.json:1:69: linuxVM.dockerDaemonOptions.value: \"debugg\" is not a dockerd option Moat passes to the engine"}},
        Malformed{"daemon_options_duplicate_inner_key",
                  "{\"configurationFileVersion\": 2, \"linuxVM\": {\"dockerDaemonOptions\": {\"value\": \"{\\\"debug\\\": true, \\\"debug\\\": false}\"}}}",
                  {"f.json:1:69: linuxVM.dockerDaemonOptions.value: is not valid JSON: duplicate key \"debug\" (inside the string, line 1 column 17)"}},
        Malformed{"share_dirs_not_array", "{\"configurationFileVersion\": 2, \"filesharingAllowedDirectories\": \"/home\"}",
                  {"f.json:1:33: filesharingAllowedDirectories: expected an array of {\"path\", \"sharedByDefault\"} objects, found a string"}},
        Malformed{"share_dir_relative", "{\"configurationFileVersion\": 2,\n \"filesharingAllowedDirectories\": [{\"path\": \"home/dev\"}]}",
                  {"f.json:2:37: filesharingAllowedDirectories.0.path: expected an absolute path or one starting with $HOME, $TMP or $TEMP"}},
        Malformed{"share_dir_missing_path", "{\"configurationFileVersion\": 2, \"filesharingAllowedDirectories\": [{\"sharedByDefault\": true}]}",
                  {"f.json:1:67: filesharingAllowedDirectories.0: is missing \"path\""}},
        Malformed{"eci_group_wrong_type", "{\"configurationFileVersion\": 2, \"enhancedContainerIsolation\": {\"locked\": true, \"value\": \"yes\"}}",
                  {"f.json:1:80: enhancedContainerIsolation.value: expected true or false, found a string"}},
        Malformed{"eci_command_type", "{\"configurationFileVersion\": 2, \"enhancedContainerIsolation\": {\"dockerSocketMount\": {\"commandList\": {\"type\": \"block\"}}}}",
                  {"f.json:1:102: enhancedContainerIsolation.dockerSocketMount.commandList.type: \"block\" is not one of \"deny\", \"allow\""}},
        Malformed{"registry_duplicate",
                  "{\"configurationFileVersion\": 2, \"moat\": {\"registryAccess\": {\"locked\": true, \"value\": [{\"address\": \"Registry.Example\"}, {\"address\": \"registry.example\"}]}}}",
                  {"f.json:1:121: moat.registryAccess.value.1.address: registry \"registry.example\" is listed twice"}},
        Malformed{"registry_bad_address",
                  "{\"configurationFileVersion\": 2, \"moat\": {\"registryAccess\": {\"value\": [{\"address\": \"https://r.example/v2\"}]}}}",
                  {"f.json:1:72: moat.registryAccess.value.0.address: expected a registry host, host:port or [ipv6]:port"}},
        Malformed{"several_problems_all_reported",
                  "{\"configurationFileVersion\": 2,\n \"blockDockerLoad\": {\"value\": 1},\n \"nope\": {},\n \"proxy\": {\"mode\": 3}}",
                  {"f.json:2:22: blockDockerLoad.value: expected true or false, found the number 1",
                   "f.json:3:2: nope: unknown setting; not a Docker Desktop version 2 key or a Moat key",
                   "f.json:4:12: proxy.mode: expected one of \"system\", \"manual\", found the number 3"}},
        Malformed{"invalid_utf8", "{\"configurationFileVersion\": 2, \"proxy\": {\"http\": \"\xff\"}}",
                  {"f.json:1:52: syntax error while parsing value - invalid string: ill-formed UTF-8 byte; last read: '\"\xff'"}}),
    [](const auto& test) { return std::string(test.param.name); });

}  // namespace
}  // namespace moat::core::settings

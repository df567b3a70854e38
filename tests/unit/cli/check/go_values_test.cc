#include "cli/check/go_values.h"

#include <gtest/gtest.h>

#include <limits>

#include "cli/check/docker_flags.h"

namespace moat::cli::check {
namespace {

TEST(GoValues, BooleansAsStrconv) {
  for (const char* t : {"1", "t", "T", "TRUE", "true", "True"}) EXPECT_EQ(parse_go_bool(t), true) << t;
  for (const char* f : {"0", "f", "F", "FALSE", "false", "False"}) EXPECT_EQ(parse_go_bool(f), false) << f;
  for (const char* bad : {"", "yes", "tRUE", "2", " true"}) EXPECT_EQ(parse_go_bool(bad), std::nullopt) << bad;
}

TEST(GoValues, IntegersWithBasePrefixes) {
  EXPECT_EQ(parse_go_int("100"), 100);
  EXPECT_EQ(parse_go_int("-1"), -1);
  EXPECT_EQ(parse_go_int("+7"), 7);
  EXPECT_EQ(parse_go_int("0x1F"), 31);
  EXPECT_EQ(parse_go_int("0o17"), 15);
  EXPECT_EQ(parse_go_int("017"), 15);
  EXPECT_EQ(parse_go_int("0b101"), 5);
  EXPECT_EQ(parse_go_int("0"), 0);
  EXPECT_EQ(parse_go_int("0x_1_0"), std::nullopt);  // '_' only between digits
  EXPECT_EQ(parse_go_int("0x1_0"), 16);
  EXPECT_EQ(parse_go_int("1_0"), std::nullopt);  // no prefix, no '_'
  EXPECT_EQ(parse_go_int("9223372036854775807"), 9223372036854775807LL);
  EXPECT_EQ(parse_go_int("-9223372036854775808"), std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(parse_go_int("9223372036854775808"), std::nullopt);
  EXPECT_EQ(parse_go_int("08"), std::nullopt);
  EXPECT_EQ(parse_go_int(""), std::nullopt);
  EXPECT_EQ(parse_go_int("-"), std::nullopt);
}

TEST(GoValues, SizesAsGoUnits) {
  EXPECT_EQ(*ram_in_bytes("512"), 512);
  EXPECT_EQ(*ram_in_bytes("64m"), 67108864);
  EXPECT_EQ(*ram_in_bytes("1.5g"), 1610612736);
  EXPECT_EQ(*ram_in_bytes("2 GiB"), 2147483648);
  EXPECT_EQ(*ram_in_bytes("10kb"), 10240);
  EXPECT_EQ(*ram_in_bytes("7b"), 7);
  EXPECT_EQ(ram_in_bytes("1gx").error(), "invalid suffix: 'gx'");
  EXPECT_EQ(ram_in_bytes("1kibx").error(), "invalid suffix: 'kibx'");
  EXPECT_EQ(ram_in_bytes("-1m").error(), "invalid size: '-1m'");
  EXPECT_EQ(ram_in_bytes("m").error(), "invalid size: 'm'");
}

TEST(GoValues, NanoCpus) {
  EXPECT_EQ(*nano_cpus("1"), 1000000000);
  EXPECT_EQ(*nano_cpus("0.5"), 500000000);
  EXPECT_EQ(*nano_cpus("2.000000001"), 2000000001);
  EXPECT_EQ(*nano_cpus("15e-1"), 1500000000);
  EXPECT_EQ(nano_cpus("1.0000000001").error(), "value is too precise");
  EXPECT_EQ(nano_cpus("one").error(), "failed to parse one as a rational number");
}

TEST(GoValues, IpAddressesInGoText) {
  EXPECT_EQ(canonical_ip("10.0.0.1"), "10.0.0.1");
  EXPECT_EQ(canonical_ip("2001:DB8:0:0:0:0:0:1"), "2001:db8::1");
  EXPECT_EQ(canonical_ip("::ffff:1.2.3.4"), "1.2.3.4");
  EXPECT_EQ(canonical_ip("::102:304"), "::102:304");
  EXPECT_EQ(canonical_ip("1:0:0:2:0:0:0:3"), "1:0:0:2::3");
  EXPECT_EQ(canonical_ip("1:0:1:0:1:0:1:0"), "1:0:1:0:1:0:1:0");
  EXPECT_EQ(canonical_ip("010.0.0.1"), std::nullopt);
  EXPECT_EQ(canonical_ip("fe80::1%eth0"), std::nullopt);
  EXPECT_EQ(canonical_ip("host"), std::nullopt);
}

TEST(GoValues, CsvRecords) {
  EXPECT_EQ(*read_csv_record("a,b,,c"), (std::vector<std::string>{"a", "b", "", "c"}));
  EXPECT_EQ(*read_csv_record("\"device=0,1\",x"), (std::vector<std::string>{"device=0,1", "x"}));
  EXPECT_EQ(*read_csv_record("\"say \"\"hi\"\"\""), (std::vector<std::string>{"say \"hi\""}));
  EXPECT_EQ(*read_csv_record("a,b\nc,d"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(read_csv_record("").error(), "EOF");
  EXPECT_EQ(read_csv_record("a\"b").error(), "parse error on line 1, column 2: bare \" in non-quoted-field");
  EXPECT_EQ(read_csv_record("\"ab").error(),
            "parse error on line 1, column 4: extraneous or missing \" in quoted-field");
}

TEST(GoValues, PathsCleanedAsGo) {
  EXPECT_EQ(clean_path(""), ".");
  EXPECT_EQ(clean_path("/a/./b/../c//"), "/a/c");
  EXPECT_EQ(clean_path("/../x"), "/x");
  EXPECT_EQ(clean_path("../a/../../b"), "../../b");
  EXPECT_EQ(absolute_path("/home/dev", "./src/../data"), "/home/dev/data");
  EXPECT_EQ(absolute_path("/home/dev", "/abs/./x"), "/abs/x");
}

TEST(GoValues, EscapingAndMarshal) {
  EXPECT_EQ(query_escape("a b/c?d=e&f~_.-"), "a+b%2Fc%3Fd%3De%26f~_.-");
  EXPECT_EQ(path_escape("localhost:5000"), "localhost:5000");
  EXPECT_EQ(path_escape("a b#?"), "a%20b%23%3F");
  EXPECT_EQ(go_json_marshal(nlohmann::json{{"k", "<&>\u2028"}}), "{\"k\":\"\\u003c\\u0026\\u003e\\u2028\"}");
  EXPECT_EQ(go_json_marshal(nlohmann::json("\xff")), "\"\xEF\xBF\xBD\"");
}

struct Flag {
  FlagName name;
};

const std::vector<Flag>& flags() {
  static const std::vector<Flag> table = {
      {{"detach", 'd', false}}, {{"tty", 't', false}}, {{"env", 'e', true}}, {{"name", 0, true}}};
  return table;
}

std::string uses(const ParsedArguments<Flag>& parsed) {
  std::string out;
  for (const auto& use : parsed.flags) out += use.written + "=" + use.value + ";";
  for (const auto& p : parsed.positionals) out += "[" + p + "]";
  return out;
}

std::string parse(std::vector<std::string> args, bool interspersed = false) {
  const auto parsed = parse_flags<Flag>(flags(), args, interspersed, "cmd");
  return parsed ? uses(*parsed) : "error: " + parsed.error().message;
}

TEST(DockerFlags, PflagForms) {
  EXPECT_EQ(parse({"-dt", "img"}), "-d=true;-t=true;[img]");
  EXPECT_EQ(parse({"-d=false", "img"}), "-d=false;[img]");
  EXPECT_EQ(parse({"-de", "A=1", "img"}), "-d=true;-e=A=1;[img]");
  EXPECT_EQ(parse({"-deA=1", "img"}), "-d=true;-e=A=1;[img]");
  EXPECT_EQ(parse({"-e=A=1", "img"}), "-e=A=1;[img]");
  EXPECT_EQ(parse({"--name", "--odd", "img"}), "--name=--odd;[img]");
  EXPECT_EQ(parse({"--name=", "img"}), "--name=;[img]");
  EXPECT_EQ(parse({"--tty=0", "img"}), "--tty=false;[img]");
  EXPECT_EQ(parse({"img", "-d"}), "[img][-d]");
  EXPECT_EQ(parse({"img", "-d"}, true), "-d=true;[img]");
  EXPECT_EQ(parse({"-", "-d"}, true), "-d=true;[-]");
  EXPECT_EQ(parse({"-d", "--", "-t"}, true), "-d=true;[-t]");
  EXPECT_EQ(parse({"--tty=yes"}),
            "error: cmd: invalid argument \"yes\" for \"--tty\" flag: strconv.ParseBool: "
            "parsing \"yes\": invalid syntax");
  EXPECT_EQ(parse({"--nope"}), "error: cmd: unknown flag: --nope");
  EXPECT_EQ(parse({"-dx"}), "error: cmd: unknown shorthand flag: 'x' in -dx");
  EXPECT_EQ(parse({"--=x"}), "error: cmd: bad flag syntax: --=x");
  EXPECT_EQ(parse({"-e"}), "error: cmd: flag needs an argument: 'e' in -e");
  EXPECT_EQ(parse({"--env"}), "error: cmd: flag needs an argument: --env");
}

}  // namespace
}  // namespace moat::cli::check

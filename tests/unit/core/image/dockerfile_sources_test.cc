#include "core/image/dockerfile_sources.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace moat::core::image {
namespace {

// "FROM:line:value" / "COPY --from:line:value" / "ADD:line:value" per source.
std::vector<std::string> sources(std::string_view dockerfile, const BuildArgs& args = {}) {
  const auto read = dockerfile_sources(dockerfile, args);
  if (!read) return {"error: " + read.error().message};
  std::vector<std::string> out;
  for (const auto& s : *read) out.push_back(s.instruction + ":" + std::to_string(s.line) + ":" + s.value);
  return out;
}

using Sources = std::vector<std::string>;

std::string error_of(std::string_view dockerfile, const BuildArgs& args = {}) {
  const auto read = dockerfile_sources(dockerfile, args);
  return read ? std::string("(no error)") : read.error().message;
}

TEST(DockerfileSources, EveryFromThatIsNotAStageOrScratch) {
  EXPECT_EQ(sources("FROM busybox AS build\nRUN true\nFROM registry.example/app:1\n"
                    "COPY --from=build /a /a\nFROM scratch\nFROM build\n"),
            (Sources{"FROM:1:busybox", "FROM:3:registry.example/app:1"}));
}

TEST(DockerfileSources, StageNamesAreMatchedWithoutCase) {
  EXPECT_EQ(sources("FROM busybox AS Builder\nFROM BUILDER\nFROM builder\n"), (Sources{"FROM:1:busybox"}));
}

TEST(DockerfileSources, AStageIsOnlyKnownAfterItsFrom) {
  // "later" is not a stage yet when the first FROM names it: an image.
  EXPECT_EQ(sources("FROM later\nFROM busybox AS later\n"), (Sources{"FROM:1:later", "FROM:2:busybox"}));
}

TEST(DockerfileSources, PlatformFlagIsSkipped) {
  EXPECT_EQ(sources("FROM --platform=linux/amd64 corp.example/base AS b\n"), (Sources{"FROM:1:corp.example/base"}));
}

TEST(DockerfileSources, KeywordsAreCaseInsensitive) {
  EXPECT_EQ(sources("from busybox as one\nfRoM one\n"), (Sources{"FROM:1:busybox"}));
}

TEST(DockerfileSources, GlobalArgsWithDefaultsAndBuildArgs) {
  const std::string file =
      "ARG REGISTRY=corp.example\nARG TAG\nFROM ${REGISTRY}/base:${TAG:-1.0}\nFROM $REGISTRY/tools${TAG:+-$TAG}\n";
  EXPECT_EQ(sources(file), (Sources{"FROM:3:corp.example/base:1.0", "FROM:4:corp.example/tools"}));
  EXPECT_EQ(sources(file, {{"REGISTRY", "evil.example"}, {"TAG", "2"}}),
            (Sources{"FROM:3:evil.example/base:2", "FROM:4:evil.example/tools-2"}));
}

TEST(DockerfileSources, ABuildArgGivenWithoutValueKeepsTheDefault) {
  EXPECT_EQ(sources("ARG BASE=busybox\nFROM $BASE\n", {{"BASE", std::nullopt}}), (Sources{"FROM:2:busybox"}));
}

TEST(DockerfileSources, UndeclaredBuildArgsDoNotReachFrom) {
  // The builder ignores --build-arg for names no ARG declares.
  EXPECT_EQ(sources("FROM busybox${SUFFIX}\n", {{"SUFFIX", ":evil"}}), (Sources{"FROM:1:busybox"}));
}

TEST(DockerfileSources, ArgsInsideAStageDoNotReachTheNextFrom) {
  EXPECT_EQ(sources("ARG A=one\nFROM busybox\nARG A=two\nFROM $A\n"), (Sources{"FROM:2:busybox", "FROM:4:one"}));
}

TEST(DockerfileSources, ArgDefaultsSeeEarlierArgs) {
  EXPECT_EQ(sources("ARG HOST=corp.example\nARG IMAGE=${HOST}/app\nFROM $IMAGE\n"),
            (Sources{"FROM:3:corp.example/app"}));
  EXPECT_EQ(sources("ARG A=1 B=${A}2\nFROM x$B\n"), (Sources{"FROM:2:x12"}));
}

TEST(DockerfileSources, QuotesAndEscapesAreRemovedAsTheShellLexerDoes) {
  EXPECT_EQ(sources("ARG R=corp.example\nFROM \"$R\"/a\nFROM '$R'/b\nFROM \\$R/c\n"),
            (Sources{"FROM:2:corp.example/a", "FROM:3:$R/b", "FROM:4:$R/c"}));
}

TEST(DockerfileSources, ContinuationLinesCommentsAndBlankLines) {
  EXPECT_EQ(sources("# comment\n\nFROM \\\n  # inside\n\n  busybox \\  \n  AS b\nFROM b\r\nFROM \\\n"
                    "corp.example/x\n"),
            (Sources{"FROM:3:busybox", "FROM:9:corp.example/x"}));
}

TEST(DockerfileSources, EscapeDirectiveChangesTheContinuationCharacter) {
  EXPECT_EQ(sources("# escape=`\nFROM `\n corp.example/win\n"), (Sources{"FROM:2:corp.example/win"}));
  // After the first instruction a directive is only a comment.
  EXPECT_EQ(sources("FROM a\n# escape=`\nFROM b`\n"), (Sources{"FROM:1:a", "FROM:3:b`"}));
  EXPECT_EQ(error_of("# escape=x\nFROM a\n"), "Dockerfile line 1: invalid escape token 'x': it must be \\ or `");
}

TEST(DockerfileSources, CopyFromAnImageAStageOrAnIndex) {
  EXPECT_EQ(sources("FROM busybox AS one\nFROM two\nCOPY --from=one /a /a\nCOPY --from=0 /a /a\n"
                    "COPY --chown=1:1 --from=corp.example/tools:1 /t /t\nCOPY /local /l\n"),
            (Sources{"FROM:1:busybox", "FROM:2:two", "COPY --from:5:corp.example/tools:1"}));
}

TEST(DockerfileSources, AddUrlsAreSourcesLocalFilesAreNot) {
  EXPECT_EQ(sources("FROM busybox\nADD https://files.example/a.tgz http://other.example/b ./local /dst/\n"
                    "ADD [\"https://json.example/c\", \"/d\"]\nADD --chown=1 ./x /y\n"),
            (Sources{"FROM:1:busybox", "ADD:2:https://files.example/a.tgz", "ADD:2:http://other.example/b",
                     "ADD:3:https://json.example/c"}));
}

TEST(DockerfileSources, AddSeesTheStagesOwnEnv) {
  EXPECT_EQ(sources("FROM busybox\nENV SITE=https://files.example\nADD $SITE/a /a\nENV DIR /opt\nADD $DIR/x /x\n"),
            (Sources{"FROM:1:busybox", "ADD:3:https://files.example/a"}));
}

TEST(DockerfileSources, AddWithAVariableThatMayComeFromTheBaseImageIsRefused) {
  EXPECT_EQ(error_of("FROM busybox\nADD $URL /a\n"),
            "Dockerfile line 2: ADD $URL uses a variable whose value may come from the base image, so Moat cannot "
            "tell whether it is a URL; write the source out");
  // An ARG inside a stage can be overridden by the base image's ENV.
  EXPECT_EQ(error_of("FROM busybox\nARG SITE=https://ok.example\nADD ${SITE}/a /a\n"),
            "Dockerfile line 3: ADD ${SITE}/a uses a variable whose value may come from the base image, so Moat "
            "cannot tell whether it is a URL; write the source out");
  // A prefix that can never become a URL is fine.
  EXPECT_EQ(sources("FROM busybox\nADD ./$FILE /a\nADD files/${X} /b\n"), (Sources{"FROM:1:busybox"}));
}

TEST(DockerfileSources, SubstitutionFormsMoatDoesNotReadAreRefused) {
  EXPECT_EQ(error_of("ARG A=x\nFROM ${A%x}\n"),
            "Dockerfile line 2: FROM ${A%x}: ${A%...} is a substitution form Moat does not read; write ${A}, "
            "${A:-default} or ${A:+alternative}");
  EXPECT_EQ(error_of("ARG A=x\nFROM ${A:?err}\n"),
            "Dockerfile line 2: FROM ${A:?err}: ${A:?...} is a substitution form Moat does not read; write "
            "${A:-default} or ${A:+alternative}");
  EXPECT_EQ(error_of("FROM ${A\n"), "Dockerfile line 1: FROM ${A: syntax error: missing '}'");
  EXPECT_EQ(error_of("FROM ${}\n"), "Dockerfile line 1: FROM ${}: syntax error: bad substitution");
  EXPECT_EQ(error_of("FROM 'a\n"),
            "Dockerfile line 1: FROM 'a: unexpected end of statement while looking for matching single-quote");
}

TEST(DockerfileSources, MalformedInstructionsAreRefused) {
  EXPECT_EQ(error_of(""), "the Dockerfile has no FROM");
  EXPECT_EQ(error_of("# only a comment\n"), "the Dockerfile has no FROM");
  EXPECT_EQ(error_of("RUN true\nFROM a\n"), "Dockerfile line 1: RUN comes before the first FROM");
  EXPECT_EQ(error_of("FROM a b\n"), "Dockerfile line 1: FROM requires either one or three arguments");
  EXPECT_EQ(error_of("FROM a AS 1x\n"),
            "Dockerfile line 1: invalid name for build stage: \"1x\", name can't start with a number or contain "
            "symbols");
  EXPECT_EQ(error_of("ARG A=\nFROM $A\n"), "Dockerfile line 2: FROM $A names no image");
  EXPECT_EQ(error_of("FROM a\nADD onlyone\n"), "Dockerfile line 2: ADD requires at least two arguments");
  EXPECT_EQ(error_of("FROM a\nENV\n"), "Dockerfile line 2: ENV requires at least one argument");
}

TEST(DockerfileSources, UnknownInstructionsAndOnbuildAreNotSources) {
  EXPECT_EQ(sources("FROM a\nONBUILD COPY --from=evil.example/x / /\nLABEL a=b\nRUN curl http://x\n"),
            (Sources{"FROM:1:a"}));
}

}  // namespace
}  // namespace moat::core::image

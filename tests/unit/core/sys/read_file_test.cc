#include "core/sys/read_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "support/temp_dir.h"

namespace moat::core::sys {
namespace {

TEST(ReadFile, ReadsAWholeFileLargerThanOneRead) {
  testing_support::TempDir dir("moat-read-file");
  const std::string text = std::string(40000, 'x') + "\nend";
  std::ofstream(dir.str() + "/f") << text;
  auto read = read_file(dir.str() + "/f");
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(*read, text);
}

// /proc files report size 0; they are read until the end all the same.
TEST(ReadFile, ReadsProcFiles) {
  auto status = read_file("/proc/self/status");
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_NE(status->find("CapBnd:"), std::string::npos);
  EXPECT_NE(status->find("Pid:\t" + std::to_string(::getpid()) + "\n"), std::string::npos);
}

TEST(ReadFile, AMissingFileIsAnErrorNamingIt) {
  testing_support::TempDir dir("moat-read-file");
  auto missing = read_file(dir.str() + "/none");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message, "cannot read " + dir.str() + "/none: No such file or directory");
  auto directory = read_file(dir.str());
  ASSERT_FALSE(directory);
  EXPECT_NE(directory.error().message.find("Is a directory"), std::string::npos) << directory.error().message;
}

}  // namespace
}  // namespace moat::core::sys

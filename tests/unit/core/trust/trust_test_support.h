#pragma once
// A temporary directory per test (root's, mode 0700, so the settings trust
// rules accept files in it) and small file helpers.

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "support/temp_dir.h"

namespace moat::core::trust::testing_support {

using moat::testing_support::TempDir;

inline void write_text(const std::string& path, const std::string& text, mode_t mode = 0644) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  ::chmod(path.c_str(), mode);
}

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Changes one byte in place, as a tampering root would.
inline void flip_byte(const std::string& path, std::size_t offset) {
  std::string text = read_text(path);
  text.at(offset) = static_cast<char>(text.at(offset) ^ 0x01);
  std::fstream out(path, std::ios::binary | std::ios::in | std::ios::out);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
}

// Three stand-in binaries (moatctl, moatd, moat-runc), root's, mode 0755.
inline void make_fake_binaries(const std::string& dir) {
  std::filesystem::create_directories(dir);
  for (const char* name : {"moatctl", "moatd", "moat-runc"}) {
    write_text(dir + "/" + name, std::string("#!/bin/true\n# stand-in for ") + name + "\n", 0755);
  }
}

}  // namespace moat::core::trust::testing_support

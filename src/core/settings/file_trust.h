#pragma once
// Policy files are trusted only when nobody but root could have written them:
// the file and every directory above it (on the path as given and on the path
// it resolves to) must be owned by root and not writable by group or others.
// A root-owned sticky directory such as /tmp is accepted: others can add
// entries there but cannot replace root's.

#include <string>

#include "core/result/result.h"

namespace moat::core::settings {

// Returns the file's contents, or an error that says what was not trusted.
Result<std::string> read_trusted_file(const std::string& path);

// The same rules for a directory Moat keeps state in.
Result<void> check_trusted_directory(const std::string& path);

}  // namespace moat::core::settings

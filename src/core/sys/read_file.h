#pragma once
// Reading a whole file with read(2). Short-lived processes read with this
// rather than iostreams: moat-runc runs four times per container, and the
// first file stream of a process costs it about 0.25 ms here (the C++
// locale is set up on first use).

#include <string>

#include "core/result/result.h"

namespace moat::core::sys {

// Also for /proc files, whose size stat(2) gives as 0. The error names the
// path and the reason.
Result<std::string> read_file(const std::string& path);

}  // namespace moat::core::sys

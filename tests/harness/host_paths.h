#pragma once
// What an end-to-end test checks on the host, outside any container.

#include <string>

namespace moat::testing {

// Whether the path itself exists on the host (a link counts, whatever it
// points to): an escape test asserts that a marker was never created.
bool host_path_exists(const std::string& path);

}  // namespace moat::testing

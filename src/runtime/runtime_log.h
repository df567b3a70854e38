#pragma once
// Messages in runc's log format. containerd's shim reads the --log file
// (JSON lines when --log-format json) and shows the last error to the user
// as "OCI runtime create failed: ...", so moat-runc's refusals go there in
// the same shape runc's own errors have.

#include <string>
#include <string_view>

namespace moat::runtime {

struct LogTarget {
  std::string path;            // empty: stderr
  std::string format = "text";  // "text" or "json"
};

// One line in runc's format, without the trailing newline.
std::string format_log_line(std::string_view level, std::string_view message,
                            std::string_view format, std::string_view time);

// Appends a line to the target; errors go to stderr as well, so a person
// running moat-runc by hand sees them.
void log_message(const LogTarget& target, std::string_view level, std::string_view message);

}  // namespace moat::runtime

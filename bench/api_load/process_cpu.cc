#include "api_load/process_cpu.h"

#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

namespace moat::bench::api_load {

std::optional<double> process_cpu_ns(pid_t pid) {
  const std::filesystem::path tasks = "/proc/" + std::to_string(pid) + "/task";
  std::error_code ec;
  double total = 0;
  bool any = false;
  for (const auto& task : std::filesystem::directory_iterator(tasks, ec)) {
    std::ifstream in(task.path() / "schedstat");
    double on_cpu = 0;
    // A thread that ended between the listing and the read is left out.
    if (in >> on_cpu) {
      total += on_cpu;
      any = true;
    }
  }
  if (ec || !any) return std::nullopt;
  return total;
}

}  // namespace moat::bench::api_load

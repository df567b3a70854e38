#include "harness/runtime_bundle.h"

#include <fstream>
#include <stdexcept>

#include "harness/command.h"

namespace moat::testing {

void install_busybox(const std::string& dir, std::initializer_list<const char*> commands) {
  std::string shell = "mkdir -p " + quote(dir + "/bin") + " && cp /bin/busybox " + quote(dir + "/bin/");
  for (const char* command : commands) shell += " && ln -s busybox " + quote(dir + "/bin/" + command);
  const auto r = run(shell);
  if (r.exit_code != 0) throw std::runtime_error("installing busybox in " + dir + " failed: " + r.all());
}

nlohmann::json runc_default_config(const std::string& bundle) {
  const auto r = run("cd " + quote(bundle) + " && runc spec");
  if (r.exit_code != 0) throw std::runtime_error("runc spec in " + bundle + " failed: " + r.all());
  auto config = nlohmann::json::parse(std::ifstream(bundle + "/config.json"));
  config["process"]["terminal"] = false;
  return config;
}

void write_protected_paths(const std::string& state_dir, const std::string& base) {
  std::ofstream(state_dir + "/protected-paths.json")
      << nlohmann::json{{"paths", {base + "/protected"}}, {"engineDataRoot", base + "/engine-data"}}.dump();
}

}  // namespace moat::testing

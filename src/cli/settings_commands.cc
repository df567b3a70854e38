#include <fstream>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/stack_probe.h"
#include "core/json/strict_json.h"
#include "core/net/unix_http_client.h"
#include "core/settings/admin_settings.h"
#include "core/settings/file_trust.h"
#include "core/settings/user_settings.h"

namespace moat::cli {

int run_settings_validate(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    std::cerr << file << ": cannot read\n";
    return 1;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  const auto parsed = core::settings::parse_admin_settings(ss.str());
  if (!parsed) {
    for (const auto& p : parsed.error()) std::cout << p.format(file) << "\n";
    std::cout << file << ": " << parsed.error().size() << " problem"
              << (parsed.error().size() == 1 ? "" : "s") << "; moatctl up refuses this file\n";
    return 1;
  }
  for (const auto& note : parsed->notes) std::cout << file << ": " << note.key << ": " << note.message << "\n";
  // The content is fine; say whether the file, where it is, would be trusted.
  if (const auto trusted = core::settings::read_trusted_file(file); !trusted) {
    std::cout << "warning: " << trusted.error().message << "\n";
  }
  std::cout << file << ": valid\n";
  return 0;
}

int run_settings_set(const StackOptions& options, const std::string& key, const std::string& value) {
  const auto layout = core::stack::make_layout(options.root, options.admin_settings);
  // Refused here too: the request itself is JSON, which cannot carry it.
  if (const auto text = core::settings::check_developer_text(key, value); !text) {
    std::cerr << "moatctl settings set: " << text.error().message << "\n";
    return 1;
  }
  const nlohmann::json body = {{"key", key}, {"value", value}};
  const auto r = core::net::unix_http_request(layout.control_socket(), "POST", "/settings", body.dump());
  if (!r) {
    std::cerr << "moatctl settings set: moatd does not answer: " << r.error().message << "\n";
    return 1;
  }
  const auto doc = core::json::parse_strict(r->body);
  const std::string message = doc && doc->value.is_object() ? doc->value.value("message", r->body) : r->body;
  if (r->status != 200) {
    std::cerr << "moatctl settings set: " << message << "\n";
    return 1;
  }
  std::cout << message << "\n";
  return 0;
}

int run_settings_show(const StackOptions& options, bool as_json) {
  const auto layout = core::stack::make_layout(options.root, options.admin_settings);
  const auto status = moatd_status(layout);
  if (!status) {
    std::cerr << "moatctl settings show: moatd does not answer on " << layout.control_socket() << "\n";
    return 1;
  }
  const auto& effective = (*status)["effective"];
  if (as_json) {
    std::cout << effective.dump(2) << "\n";
    return 0;
  }
  for (const auto& [key, v] : effective.items()) {
    std::cout << key << " = " << v["value"].dump() << "  (" << v["source"].get<std::string>()
              << (v["locked"].get<bool>() ? ", locked" : "") << ")\n";
  }
  return 0;
}

}  // namespace moat::cli

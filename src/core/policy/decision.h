#pragma once
// The outcome of judging one Docker API request. A refusal is not an error:
// it carries the rule that refused, the setting that decided (if any), what
// was refused and why, and what an admin would have to change. moatd turns
// message() into Docker's JSON error body with HTTP 403 (or 404, see
// answered_as_not_found), so the docker CLI prints "Error response from
// daemon: <message>".

#include <string>

namespace moat::core::policy {

struct Decision {
  bool allowed = false;
  std::string rule;     // stable id: "container.privileged", "bind.restricted-path", ...
  std::string setting;  // settings key that decided, or "" for a built-in rule
  std::string reason;   // what was refused and why (empty when allowed)
  std::string remedy;   // what an admin would change; "" if nothing can
  // A refused lookup of one named object that moatd answers as not found
  // (404), so a client that looks for a name among every kind of object
  // (`docker inspect NAME`: containers, images, volumes, networks, plugins)
  // goes on to the next kind instead of showing this refusal for a name
  // that is no such thing. Asked for that kind alone, the client shows it.
  bool answered_as_not_found = false;

  // "Moat refused this request: <reason> (setting S | rule R). <remedy>"
  // For an allowed request: "Moat allowed this request (rule R)."
  std::string message() const;

  static Decision allow(std::string rule);
  static Decision deny(std::string rule, std::string setting, std::string reason,
                       std::string remedy);

  bool operator==(const Decision&) const = default;
};

// The remedy for a boolean setting: `An admin can allow it with "a": {"b":
// {"value": true}} in admin-settings.json.` for the dotted key "a.b".
std::string admin_remedy(const std::string& setting_key, bool value);

}  // namespace moat::core::policy

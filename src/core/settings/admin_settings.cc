#include "core/settings/admin_settings.h"

#include <set>

#include "core/settings/file_trust.h"
#include "core/settings/setting_spec.h"
#include "core/settings/value_check.h"

namespace moat::core::settings {
namespace {

using nlohmann::json;

constexpr std::string_view kVersionPointer = "/configurationFileVersion";

// The shape of the file, derived from the settings table: which pointers are
// values, which are `locked` flags, and which are objects that hold them.
struct Shape {
  std::set<std::string> containers;
  std::set<std::string> locks;

  Shape() {
    for (const auto& spec : all_settings()) {
      add_parents(spec.value_pointer);
      if (!spec.lock_pointer.empty()) {
        locks.insert(spec.lock_pointer);
        add_parents(spec.lock_pointer);
      }
    }
  }

  void add_parents(const std::string& pointer) {
    for (auto slash = pointer.rfind('/'); slash != 0 && slash != std::string::npos;
         slash = pointer.rfind('/', slash - 1)) {
      containers.insert(pointer.substr(0, slash));
    }
  }
};

const Shape& shape() {
  static const Shape s;
  return s;
}

class Validator {
 public:
  explicit Validator(const core::json::Document& doc) : doc_(doc) {}

  void run() {
    if (!doc_.value.is_object()) {
      problem("", "the file must hold a JSON object, found " + describe_type(doc_.value));
      return;
    }
    check_version();
    walk(doc_.value, "");
    collect();
  }

  std::vector<SettingsProblem> problems_;
  AdminSettings result_;

 private:
  void problem(const std::string& pointer, std::string message) {
    problems_.push_back({doc_.where(pointer), dotted(pointer), std::move(message)});
  }

  void check_version() {
    const std::string p(kVersionPointer);
    if (!doc_.value.contains("configurationFileVersion")) {
      problem("", "configurationFileVersion is missing; this reader understands version 2");
      return;
    }
    const json& v = doc_.value["configurationFileVersion"];
    if (!v.is_number_integer()) {
      problem(p, "expected the number 2, found " + describe_type(v));
    } else if (v.get<long long>() == 1) {
      problem(p, "version 1 (Docker Desktop Enterprise) is not supported; convert the file to version 2");
    } else if (v.get<long long>() != 2) {
      problem(p, "version " + v.dump() + " is not supported; this reader understands version 2");
    }
  }

  void walk(const json& object, const std::string& pointer) {
    for (const auto& [key, value] : object.items()) {
      const std::string child = pointer + "/" + core::json::pointer_token(key);
      if (child == kVersionPointer) continue;
      if (shape().locks.contains(child)) {
        if (!value.is_boolean()) problem(child, "expected true or false, found " + describe_type(value));
      } else if (const SettingSpec* spec = find_setting_by_value_pointer(child)) {
        json normalised = value;
        for (auto& p : check_value(*spec, normalised)) problem(child + p.sub_pointer, p.message);
        found_.emplace(spec, std::move(normalised));
      } else if (shape().containers.contains(child)) {
        if (!value.is_object()) {
          problem(child, "expected an object, found " + describe_type(value));
        } else {
          walk(value, child);
        }
      } else {
        problem(child, "unknown setting; not a Docker Desktop version 2 key or a Moat key");
      }
    }
  }

  const json* at(const std::string& pointer) const {
    const json::json_pointer p(pointer);
    return doc_.value.contains(p) ? &doc_.value.at(p) : nullptr;
  }

  void collect() {
    for (const auto& spec : all_settings()) {
      const json* lock = spec.lock_pointer.empty() ? nullptr : at(spec.lock_pointer);
      const bool locked = spec.lock_pointer.empty() || (lock && lock->is_boolean() && lock->get<bool>());
      const auto value = found_.find(&spec);
      if (lock) result_.locks[spec.key] = locked;
      if (value != found_.end()) {
        result_.values[spec.key] = AdminValue{value->second, locked};
        if (spec.applicability == Applicability::kNotApplicable) {
          result_.notes.push_back({spec.key, "not applicable: " + spec.note});
        } else if (spec.applicability == Applicability::kNotEnforced) {
          result_.notes.push_back({spec.key, "not enforced: " + spec.note});
        }
      } else if (spec.value_pointer.ends_with("/value") && lock) {
        // {"locked": true} with no value would lock in a value nobody chose.
        problem(spec.lock_pointer.substr(0, spec.lock_pointer.size() - 7),
                "has \"locked\" but no \"value\"");
      }
    }
  }

  const core::json::Document& doc_;
  std::map<const SettingSpec*, json> found_;
};

}  // namespace

std::string SettingsProblem::format(std::string_view file) const {
  std::string out(file);
  out += ":" + std::to_string(where.line) + ":" + std::to_string(where.column) + ": ";
  if (!key_path.empty()) out += key_path + ": ";
  return out + message;
}

AdminSettingsResult parse_admin_settings(std::string_view text) {
  // Located: every problem names the line and column of its value.
  core::json::ParseOptions options;
  options.locate_values = true;
  const auto doc = core::json::parse_strict(text, options);
  if (!doc) {
    return unexpected(std::vector<SettingsProblem>{{doc.error().where, "", doc.error().message}});
  }
  Validator validator(*doc);
  validator.run();
  if (!validator.problems_.empty()) return unexpected(std::move(validator.problems_));
  return std::move(validator.result_);
}

Result<AdminSettings, std::vector<std::string>> load_admin_settings(const std::string& path) {
  const auto text = read_trusted_file(path);
  if (!text) return unexpected(std::vector<std::string>{text.error().message});
  auto parsed = parse_admin_settings(*text);
  if (!parsed) {
    std::vector<std::string> messages;
    for (const auto& p : parsed.error()) messages.push_back(p.format(path));
    return unexpected(std::move(messages));
  }
  return std::move(parsed).value();
}

}  // namespace moat::core::settings

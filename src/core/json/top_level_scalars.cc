#include "core/json/top_level_scalars.h"

#include <algorithm>
#include <optional>
#include <set>
#include <string>

#include "core/json/strict_sax.h"

namespace moat::core::json {
namespace {

using nlohmann::json;

class ScalarPicker : public StrictSaxHandler {
 public:
  ScalarPicker(std::string_view text, std::span<const std::string_view> keys, const ParseOptions& options)
      : StrictSaxHandler(text), keys_(keys), options_(options) {}

  bool null() override { return scalar(nullptr); }
  bool boolean(bool v) override { return scalar(v); }
  bool number_integer(number_integer_t v) override { return scalar(v); }
  bool number_unsigned(number_unsigned_t v) override { return scalar(v); }
  bool number_float(number_float_t v, const string_t&) override { return scalar(v); }
  bool string(string_t& v) override { return scalar(std::move(v)); }
  bool binary(binary_t&) override { return refuse("binary values are not JSON"); }

  bool start_object(std::size_t) override { return open(); }
  bool start_array(std::size_t) override {
    if (depth_ == 0) return refuse("not a JSON object");
    return open();
  }
  bool end_object() override { return close(); }
  bool end_array() override { return close(); }

  bool key(string_t& k) override {
    if (depth_ != 1) return true;
    if (!top_keys_.insert(k).second) return refuse("duplicate key \"" + k + "\"");
    wanted_ = std::find(keys_.begin(), keys_.end(), k) != keys_.end();
    if (wanted_) key_ = k;
    return true;
  }

  json picked_ = json::object();

 private:
  template <typename T>
  bool scalar(T&& v) {
    if (depth_ == 0) return refuse("not a JSON object");
    if (depth_ == 1 && wanted_) picked_[key_] = json(std::forward<T>(v));
    return true;
  }

  bool open() {
    if (depth_ == 1 && wanted_) return refuse("\"" + key_ + "\" is an object or an array, not a single value");
    if (depth_ >= options_.max_depth) {
      return refuse("nesting deeper than " + std::to_string(options_.max_depth) + " levels");
    }
    ++depth_;
    return true;
  }

  bool close() {
    --depth_;
    return true;
  }

  bool refuse(std::string message) { return StrictSaxHandler::refuse(std::move(message), consumed()); }

  std::span<const std::string_view> keys_;
  const ParseOptions& options_;
  std::size_t depth_ = 0;
  std::set<std::string, std::less<>> top_keys_;
  bool wanted_ = false;
  std::string key_;
};

}  // namespace

Result<nlohmann::json, ParseError> top_level_scalars(std::string_view text, std::span<const std::string_view> keys,
                                                     const ParseOptions& options) {
  ScalarPicker picker(text, keys, options);
  if (!run_strict_sax(options, picker)) return unexpected(std::move(*picker.error));
  return std::move(picker.picked_);
}

}  // namespace moat::core::json

#pragma once
// What every Moat JSON reader built on nlohmann's SAX parser shares: the
// checks made before parsing (size, byte order mark), no bytes after the
// value, errors worded and located alike, and how many bytes the lexer has
// consumed, which nlohmann's SAX interface reports only for errors.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/json/strict_json.h"

namespace moat::core::json {

class StrictSaxHandler : public nlohmann::json_sax<nlohmann::json> {
 public:
  explicit StrictSaxHandler(std::string_view text) : text_(text) {}

  bool parse_error(std::size_t position, const std::string& last_token,
                   const nlohmann::detail::exception& ex) final;

  // The first error, once run_strict_sax has returned.
  std::optional<ParseError> error;

 protected:
  // Records the error at byte `at` (the first one wins); false stops the parse.
  bool refuse(std::string message, std::size_t at);
  std::string_view text() const { return text_; }
  std::size_t consumed() const { return consumed_; }

 private:
  friend bool run_strict_sax(const ParseOptions& options, StrictSaxHandler& handler);
  std::string_view text_;
  std::size_t consumed_ = 0;
};

// Feeds the handler's text to it; false, with handler.error set, when the
// text or the handler refused.
bool run_strict_sax(const ParseOptions& options, StrictSaxHandler& handler);

}  // namespace moat::core::json

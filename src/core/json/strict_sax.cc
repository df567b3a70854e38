#include "core/json/strict_sax.h"

#include <algorithm>
#include <iterator>

namespace moat::core::json {
namespace {

// Publishes how many bytes the lexer has taken.
class CountingIterator {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = const char&;

  CountingIterator(const char* p, std::size_t* consumed) : p_(p), consumed_(consumed) {}
  reference operator*() const { return *p_; }
  CountingIterator& operator++() {
    ++p_;
    ++*consumed_;
    return *this;
  }
  CountingIterator operator++(int) {
    CountingIterator old = *this;
    ++*this;
    return old;
  }
  bool operator==(const CountingIterator& other) const { return p_ == other.p_; }

 private:
  const char* p_;
  std::size_t* consumed_;
};

}  // namespace

bool StrictSaxHandler::parse_error(std::size_t position, const std::string&,
                                   const nlohmann::detail::exception& ex) {
  // nlohmann's text starts with "[json.exception.KIND.N] " and, for syntax
  // errors, "parse error at line L, column C: "; we report our own location.
  std::string what = ex.what();
  if (const auto bracket = what.find("] "); bracket != std::string::npos) {
    what.erase(0, bracket + 2);
  }
  if (what.starts_with("parse error")) {
    if (const auto colon = what.find(": "); colon != std::string::npos) what.erase(0, colon + 2);
  }
  return refuse(what, position == 0 ? 0 : position - 1);
}

bool StrictSaxHandler::refuse(std::string message, std::size_t at) {
  if (!error) error = ParseError{std::move(message), locate(text_, std::min(at, text_.size()))};
  return false;
}

bool run_strict_sax(const ParseOptions& options, StrictSaxHandler& handler) {
  const std::string_view text = handler.text_;
  if (text.size() > options.max_bytes) {
    return handler.refuse("larger than the limit of " + std::to_string(options.max_bytes) + " bytes",
                          options.max_bytes);
  }
  if (text.starts_with("\xEF\xBB\xBF")) {
    return handler.refuse("starts with a UTF-8 byte order mark; save it as UTF-8 without BOM", 0);
  }
  handler.consumed_ = 0;
  const CountingIterator first(text.data(), &handler.consumed_);
  const CountingIterator last(text.data() + text.size(), &handler.consumed_);
  // strict = true: trailing bytes after the value are an error.
  const bool ok = nlohmann::json::sax_parse(first, last, &handler, nlohmann::json::input_format_t::json, true);
  if (ok && !handler.error) return true;
  return handler.refuse("not valid JSON", handler.consumed_);
}

}  // namespace moat::core::json

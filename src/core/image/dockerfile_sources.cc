#include "core/image/dockerfile_sources.h"

#include <algorithm>
#include <set>
#include <utility>

#include <nlohmann/json.hpp>

namespace moat::core::image {
namespace {

// A logical instruction: continuation lines joined, comments dropped.
struct Instruction {
  std::size_t line = 0;
  std::string keyword;  // upper case
  std::string rest;     // after the keyword, leading blanks removed
};

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }

std::string_view trim_left(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  return s;
}

std::string_view trim(std::string_view s) {
  s = trim_left(s);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string at_line(std::size_t line) { return "Dockerfile line " + std::to_string(line) + ": "; }

// "# name=value" at the top of the file, before anything else.
std::optional<std::pair<std::string, std::string>> parser_directive(std::string_view line) {
  line = trim(line);
  if (!line.starts_with('#')) return std::nullopt;
  line = trim_left(line.substr(1));
  std::size_t i = 0;
  while (i < line.size() && (std::isalnum(static_cast<unsigned char>(line[i])) != 0)) ++i;
  if (i == 0 || std::isalpha(static_cast<unsigned char>(line[0])) == 0) return std::nullopt;
  std::string name = lower(line.substr(0, i));
  std::string_view after = trim_left(line.substr(i));
  if (!after.starts_with('=')) return std::nullopt;
  return std::pair{std::move(name), std::string(trim(after.substr(1)))};
}

// Ends with the escape character, blanks after it allowed.
bool continues(std::string_view line, char escape) {
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
  return !line.empty() && line.back() == escape;
}

std::string_view without_continuation(std::string_view line) {
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
  line.remove_suffix(1);
  return line;
}

struct ParsedFile {
  char escape = '\\';
  std::vector<Instruction> instructions;
};

Result<ParsedFile> split_instructions(std::string_view text) {
  ParsedFile file;
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    if (line.ends_with('\r')) line.remove_suffix(1);
    lines.push_back(line);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  std::size_t i = 0;
  std::set<std::string> seen_directives;
  for (; i < lines.size(); ++i) {
    const auto directive = parser_directive(lines[i]);
    if (!directive) break;
    if (!seen_directives.insert(directive->first).second) {
      return fail(at_line(i + 1) + "parser directive " + directive->first + " is given twice");
    }
    if (directive->first == "escape") {
      if (directive->second != "\\" && directive->second != "`") {
        return fail(at_line(i + 1) + "invalid escape token '" + directive->second +
                    "': it must be \\ or `");
      }
      file.escape = directive->second[0];
    }
  }
  for (; i < lines.size(); ++i) {
    const std::string_view first = trim_left(lines[i]);
    if (first.empty() || first.starts_with('#')) continue;
    Instruction instruction;
    instruction.line = i + 1;
    std::string joined;
    std::string_view current = lines[i];
    while (continues(current, file.escape)) {
      joined.append(without_continuation(current));
      // Comment and empty lines inside a continuation are skipped.
      do {
        ++i;
      } while (i < lines.size() &&
               (trim_left(lines[i]).empty() || trim_left(lines[i]).starts_with('#')));
      if (i >= lines.size()) {
        current = {};
        break;
      }
      current = lines[i];
    }
    joined.append(current);
    const std::string_view body = trim_left(joined);
    std::size_t word_end = 0;
    while (word_end < body.size() && !is_blank(body[word_end])) ++word_end;
    instruction.keyword = upper(body.substr(0, word_end));
    instruction.rest = std::string(trim(body.substr(word_end)));
    file.instructions.push_back(std::move(instruction));
  }
  return file;
}

// Words split at blanks outside quotes; quotes and escapes are kept for
// expand() (the builder's parseWords).
std::vector<std::string> split_words(std::string_view text, char escape) {
  std::vector<std::string> words;
  std::string word;
  char quote = 0;
  bool in_word = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quote == 0 && is_blank(c)) {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
      continue;
    }
    in_word = true;
    word.push_back(c);
    if (c == escape && quote != '\'' && i + 1 < text.size()) {
      word.push_back(text[++i]);
    } else if (quote == 0 && (c == '\'' || c == '"')) {
      quote = c;
    } else if (c == quote) {
      quote = 0;
    }
  }
  if (in_word) words.push_back(std::move(word));
  return words;
}

// Words split at blanks only (FROM and the non-JSON form of ADD).
std::vector<std::string> split_blank_delimited(std::string_view text) {
  std::vector<std::string> words;
  while (true) {
    text = trim_left(text);
    if (text.empty()) return words;
    std::size_t end = 0;
    while (end < text.size() && !is_blank(text[end])) ++end;
    words.emplace_back(text.substr(0, end));
    text.remove_prefix(end);
  }
}

// A variable's value; nullopt where it may come from the base image's ENV,
// which is not known here.
using Variables = std::map<std::string, std::optional<std::string>, std::less<>>;

struct Expansion {
  std::string text;
  bool known = true;       // false: a variable with an unknown value was used
  std::string known_prefix;  // when !known: what came out before it
};

// The builder's shell lexer (ProcessWord): quotes removed, escapes applied,
// $NAME, ${NAME}, ${NAME:-word} and ${NAME:+word} substituted. A name with
// no entry expands to "" when `unset_is_empty` (build arguments before the
// first FROM) and is unknown otherwise.
class WordExpander {
 public:
  WordExpander(std::string_view word, const Variables& variables, char escape, bool unset_is_empty)
      : word_(word), variables_(variables), escape_(escape), unset_is_empty_(unset_is_empty) {}

  Result<Expansion> run() {
    Expansion expansion;
    auto text = until(std::nullopt, &expansion);
    if (!text) return unexpected(text.error());
    expansion.text = std::move(*text);
    return expansion;
  }

 private:
  bool at_end() const { return pos_ >= word_.size(); }
  char peek() const { return word_[pos_]; }

  // Reads up to `stop` (consumed) or the end. `top` is set only for the
  // outermost level, where the known prefix is recorded.
  Result<std::string> until(std::optional<char> stop, Expansion* top) {
    std::string out;
    while (!at_end()) {
      const char c = peek();
      if (stop && c == *stop) {
        ++pos_;
        return out;
      }
      if (c == '\'') {
        ++pos_;
        const std::size_t close = word_.find('\'', pos_);
        if (close == std::string_view::npos) {
          return fail("unexpected end of statement while looking for matching single-quote");
        }
        out.append(word_.substr(pos_, close - pos_));
        pos_ = close + 1;
      } else if (c == '"') {
        ++pos_;
        auto quoted = double_quoted(out, top);
        if (!quoted) return quoted;
      } else if (c == '$') {
        auto value = dollar(out, top);
        if (!value) return value;
        out.append(*value);
      } else {
        ++pos_;
        if (c == escape_) {
          if (at_end()) break;
          out.push_back(word_[pos_++]);
        } else {
          out.push_back(c);
        }
      }
    }
    if (stop) return fail("syntax error: missing '}'");
    return out;
  }

  Result<std::string> double_quoted(std::string& out, Expansion* top) {
    while (!at_end()) {
      const char c = peek();
      if (c == '"') {
        ++pos_;
        return std::string();
      }
      if (c == '$') {
        auto value = dollar(out, top);
        if (!value) return value;
        out.append(*value);
        continue;
      }
      ++pos_;
      if (c == escape_ && !at_end() && (peek() == '"' || peek() == '$' || peek() == escape_)) {
        out.push_back(word_[pos_++]);
      } else {
        out.push_back(c);
      }
    }
    return fail("unexpected end of statement while looking for matching double-quote");
  }

  std::string name() {
    std::string name;
    while (!at_end() && (std::isalnum(static_cast<unsigned char>(peek())) != 0 || peek() == '_')) {
      name.push_back(word_[pos_++]);
    }
    return name;
  }

  // The value of a variable, or nullopt (and `top` marked) when unknown.
  std::optional<std::string> lookup(const std::string& variable, const std::string& out, Expansion* top) {
    const auto found = variables_.find(variable);
    if (found != variables_.end() && found->second) return *found->second;
    if (found == variables_.end() && unset_is_empty_) return std::string();
    if (top != nullptr && top->known) {
      top->known = false;
      top->known_prefix = out;
    } else if (top == nullptr) {
      unknown_inside_ = true;
    }
    return std::nullopt;
  }

  Result<std::string> dollar(std::string& out, Expansion* top) {
    ++pos_;  // '$'
    if (at_end() || peek() != '{') {
      if (!at_end() && static_cast<unsigned char>(peek()) >= 0x80) {
        return fail("a variable name that is not ASCII cannot be read");
      }
      const std::string variable = name();
      if (variable.empty()) return std::string("$");
      return lookup(variable, out, top).value_or("");
    }
    ++pos_;  // '{'
    if (at_end()) return fail("syntax error: missing '}'");
    if (peek() == '{' || peek() == '}' || peek() == ':') return fail("syntax error: bad substitution");
    const std::string variable = name();
    if (variable.empty()) return fail("syntax error: bad substitution");
    if (at_end()) return fail("syntax error: missing '}'");
    const char c = word_[pos_++];
    if (c == '}') return lookup(variable, out, top).value_or("");
    if (c != ':') {
      return fail("${" + variable + c + "...} is a substitution form Moat does not read; write ${" +
                  variable + "}, ${" + variable + ":-default} or ${" + variable + ":+alternative}");
    }
    if (at_end()) return fail("syntax error: missing '}'");
    const char modifier = word_[pos_++];
    if (modifier != '-' && modifier != '+') {
      return fail(std::string("${") + variable + ":" + modifier +
                  "...} is a substitution form Moat does not read; write ${" + variable + ":-default} or ${" +
                  variable + ":+alternative}");
    }
    const bool was_unknown_inside = unknown_inside_;
    unknown_inside_ = false;
    auto alternative = until('}', nullptr);
    if (!alternative) return alternative;
    const bool alternative_unknown = unknown_inside_;
    unknown_inside_ = was_unknown_inside;
    const auto value = lookup(variable, out, top);
    if (!value) return std::string();
    const bool use_alternative = modifier == '-' ? value->empty() : !value->empty();
    if (!use_alternative) return modifier == '-' ? *value : std::string();
    if (alternative_unknown) {
      lookup_failed(out, top);
      return std::string();
    }
    return std::move(*alternative);
  }

  void lookup_failed(const std::string& out, Expansion* top) {
    if (top != nullptr && top->known) {
      top->known = false;
      top->known_prefix = out;
    } else if (top == nullptr) {
      unknown_inside_ = true;
    }
  }

  std::string_view word_;
  const Variables& variables_;
  char escape_;
  bool unset_is_empty_;
  std::size_t pos_ = 0;
  bool unknown_inside_ = false;
};

Result<Expansion> expand(std::string_view word, const Variables& variables, char escape, bool unset_is_empty) {
  return WordExpander(word, variables, escape, unset_is_empty).run();
}

// Leading --name=value flags, removed from `words`; --name without a value
// is kept as "".
std::map<std::string, std::string, std::less<>> take_flags(std::vector<std::string>& words) {
  std::map<std::string, std::string, std::less<>> flags;
  std::size_t i = 0;
  for (; i < words.size() && words[i].starts_with("--"); ++i) {
    if (words[i] == "--") {
      ++i;
      break;
    }
    const std::size_t eq = words[i].find('=');
    flags[lower(words[i].substr(2, eq == std::string::npos ? std::string::npos : eq - 2))] =
        eq == std::string::npos ? "" : words[i].substr(eq + 1);
  }
  words.erase(words.begin(), words.begin() + static_cast<std::ptrdiff_t>(i));
  return flags;
}

// "ARG a=1 b" and "ENV a=1 b=2": key=value words; for ENV also the old
// "ENV key value with spaces" form.
struct Assignment {
  std::string name;
  std::optional<std::string> raw_value;  // not yet expanded
};

Result<std::vector<Assignment>> assignments(const Instruction& instruction, char escape, bool env) {
  std::vector<std::string> words = split_words(instruction.rest, escape);
  if (words.empty()) return fail(at_line(instruction.line) + instruction.keyword + " requires at least one argument");
  std::vector<Assignment> out;
  if (env && words[0].find('=') == std::string::npos) {
    const std::string_view rest = trim_left(std::string_view(instruction.rest).substr(words[0].size()));
    if (rest.empty()) return fail(at_line(instruction.line) + "ENV " + words[0] + " has no value");
    out.push_back({words[0], std::string(rest)});
    return out;
  }
  for (const std::string& word : words) {
    const std::size_t eq = word.find('=');
    if (eq == 0) return fail(at_line(instruction.line) + instruction.keyword + " " + word + " names no variable");
    if (eq == std::string::npos) {
      if (env) return fail(at_line(instruction.line) + "ENV " + word + " has no value");
      out.push_back({word, std::nullopt});
    } else {
      out.push_back({word.substr(0, eq), word.substr(eq + 1)});
    }
  }
  return out;
}

bool is_stage_name(std::string_view name) {
  if (name.empty() || name[0] < 'a' || name[0] > 'z') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
  });
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_url(std::string_view s) { return s.starts_with("http://") || s.starts_with("https://"); }

// Could text that starts like this still turn out to be a URL?
bool may_become_url(std::string_view prefix) {
  return is_url(prefix) || std::string_view("http://").starts_with(prefix) ||
         std::string_view("https://").starts_with(prefix);
}

class SourceReader {
 public:
  SourceReader(char escape, const BuildArgs& build_args) : escape_(escape), build_args_(build_args) {}

  Result<void> read(const Instruction& instruction) {
    const std::string& k = instruction.keyword;
    if (k == "FROM") return from(instruction);
    if (k == "ARG") return arg(instruction);
    if (stages_ == 0) {
      // Only ARG may come before the first FROM.
      return fail(at_line(instruction.line) + k + " comes before the first FROM");
    }
    if (k == "ENV") return env(instruction);
    if (k == "COPY") return copy(instruction);
    if (k == "ADD") return add(instruction);
    return {};
  }

  std::vector<BuildSource> take() { return std::move(sources_); }
  bool has_stage() const { return stages_ > 0; }

 private:
  Result<std::string> expand_known(std::string_view word, const Variables& variables, bool unset_is_empty,
                                   const Instruction& instruction) {
    auto expanded = expand(word, variables, escape_, unset_is_empty);
    if (!expanded) return fail(at_line(instruction.line) + instruction.keyword + " " + std::string(word) + ": " +
                                    expanded.error().message);
    return std::move(expanded->text);
  }

  // The value a build argument takes: --build-arg if given with a value,
  // else its default.
  std::optional<std::string> build_arg_value(const std::string& name, std::optional<std::string> fallback) const {
    const auto given = build_args_.find(name);
    if (given != build_args_.end() && given->second) return given->second;
    return fallback;
  }

  Result<void> from(const Instruction& instruction) {
    std::vector<std::string> words = split_blank_delimited(instruction.rest);
    take_flags(words);  // --platform decides which manifest, not which registry
    if (words.size() != 1 && !(words.size() == 3 && upper(words[1]) == "AS")) {
      return fail(at_line(instruction.line) + "FROM requires either one or three arguments");
    }
    std::optional<std::string> stage_name;
    if (words.size() == 3) {
      stage_name = lower(words[2]);
      if (!is_stage_name(*stage_name)) {
        return fail(at_line(instruction.line) + "invalid name for build stage: \"" + words[2] +
                    "\", name can't start with a number or contain symbols");
      }
    }
    // FROM sees only the build arguments declared before the first FROM.
    auto base = expand_known(words[0], meta_args_, true, instruction);
    if (!base) return unexpected(base.error());
    if (base->empty()) return fail(at_line(instruction.line) + "FROM " + words[0] + " names no image");
    if (*base != "scratch" && !stage_names_.contains(lower(*base))) {
      sources_.push_back({BuildSource::Kind::kImage, *base, instruction.line, "FROM"});
    }
    if (stage_name) stage_names_.insert(*stage_name);
    ++stages_;
    // A new stage starts from the base image's ENV, which is not known here.
    stage_variables_.clear();
    env_names_.clear();
    return {};
  }

  Result<void> arg(const Instruction& instruction) {
    auto declared = assignments(instruction, escape_, false);
    if (!declared) return unexpected(declared.error());
    for (auto& [name, raw] : *declared) {
      if (stages_ == 0) {
        std::optional<std::string> default_value;
        if (raw) {
          auto value = expand_known(*raw, meta_args_, true, instruction);
          if (!value) return unexpected(value.error());
          default_value = std::move(*value);
        }
        const auto value = build_arg_value(name, default_value);
        // Declared without a value: expands to "" as the builder does.
        meta_args_[name] = value.value_or("");
        continue;
      }
      // Inside a stage the base image's ENV of the same name wins over an
      // ARG, so an ARG's value is never known for certain here (unless this
      // stage's own ENV set it, which wins anyway).
      if (!env_names_.contains(name)) stage_variables_[name] = std::nullopt;
    }
    return {};
  }

  Result<void> env(const Instruction& instruction) {
    auto set = assignments(instruction, escape_, true);
    if (!set) return unexpected(set.error());
    // All values of one ENV are expanded against the variables before it.
    const Variables before = stage_variables_;
    for (auto& [name, raw] : *set) {
      auto expanded = expand(*raw, before, escape_, false);
      if (!expanded) {
        return fail(at_line(instruction.line) + "ENV " + name + ": " + expanded.error().message);
      }
      stage_variables_[name] = expanded->known ? std::optional(std::move(expanded->text)) : std::nullopt;
      env_names_.insert(name);
    }
    return {};
  }

  Result<void> copy(const Instruction& instruction) {
    std::vector<std::string> words = split_blank_delimited(instruction.rest);
    const auto flags = take_flags(words);
    const auto from_flag = flags.find("from");
    if (from_flag == flags.end()) return {};
    // The classic builder takes --from as written: an earlier stage by
    // name or index, else an image.
    const std::string& from = from_flag->second;
    if (from.empty()) return fail(at_line(instruction.line) + "COPY --from names nothing");
    if (all_digits(from) || stage_names_.contains(lower(from))) return {};
    sources_.push_back({BuildSource::Kind::kImage, from, instruction.line, "COPY --from"});
    return {};
  }

  Result<void> add(const Instruction& instruction) {
    std::vector<std::string> words;
    bool json_form = false;
    if (instruction.rest.starts_with('[')) {
      const auto parsed = nlohmann::json::parse(instruction.rest, nullptr, false);
      if (parsed.is_array() && std::all_of(parsed.begin(), parsed.end(), [](const auto& v) { return v.is_string(); })) {
        for (const auto& v : parsed) words.push_back(v.template get<std::string>());
        json_form = true;
      }
    }
    if (!json_form) {
      words = split_blank_delimited(instruction.rest);
      take_flags(words);
    }
    if (words.size() < 2) return fail(at_line(instruction.line) + "ADD requires at least two arguments");
    for (std::size_t i = 0; i + 1 < words.size(); ++i) {
      auto expanded = expand(words[i], stage_variables_, escape_, false);
      if (!expanded) return fail(at_line(instruction.line) + "ADD " + words[i] + ": " + expanded.error().message);
      if (!expanded->known) {
        if (may_become_url(expanded->known_prefix)) {
          return fail(at_line(instruction.line) + "ADD " + words[i] +
                      " uses a variable whose value may come from the base image, so Moat cannot tell whether "
                      "it is a URL; write the source out");
        }
        continue;
      }
      if (is_url(expanded->text)) {
        sources_.push_back({BuildSource::Kind::kUrl, expanded->text, instruction.line, "ADD"});
      }
    }
    return {};
  }

  char escape_;
  const BuildArgs& build_args_;
  Variables meta_args_;
  Variables stage_variables_;
  std::set<std::string, std::less<>> env_names_;
  std::set<std::string, std::less<>> stage_names_;
  std::size_t stages_ = 0;
  std::vector<BuildSource> sources_;
};

}  // namespace

Result<std::vector<BuildSource>> dockerfile_sources(std::string_view dockerfile, const BuildArgs& build_args) {
  auto file = split_instructions(dockerfile);
  if (!file) return unexpected(file.error());
  SourceReader reader(file->escape, build_args);
  for (const Instruction& instruction : file->instructions) {
    if (auto read = reader.read(instruction); !read) return unexpected(read.error());
  }
  if (!reader.has_stage()) return fail("the Dockerfile has no FROM");
  return reader.take();
}

}  // namespace moat::core::image

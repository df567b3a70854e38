// Mirrors Go's archive/tar Reader (Go 1.13 to 1.18, the releases Docker
// Engine 20.10 was built with) and the engine's pkg/archive Unpack, which the
// classic builder runs chrooted into the context directory. Where the engine
// would fail the build anyway, what this reader answers does not matter; where
// the engine's result depends on more than the archive's bytes, it refuses.
#include "core/image/build_context.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "core/image/tar_format.h"

namespace moat::core::image {
namespace {

using namespace tar;  // the shared header, pax and message helpers

constexpr std::string_view kDefaultName = "Dockerfile";
constexpr std::string_view kFallbackName = "dockerfile";

Unexpected<Error> not_tar(const std::string& detail) {
  return fail("the build context is not a tar archive Moat can read (" + detail + ")");
}

std::string at_byte(std::size_t offset) { return "at byte " + std::to_string(offset); }

// ---- entries ----

struct Entry {
  std::size_t offset = 0;  // of the entry's own header
  char type = '0';         // '\0' already turned into '0' or '5'
  std::string name;        // as the engine sees it, not yet cleaned
  std::string_view data;   // the file's bytes (empty for header-only types)
};

// Reader.Next: yields the entries the engine's Unpack sees, pax and GNU
// long-name headers already applied, and pax global headers as entries of
// type 'g' (current pkg/archive skips them, but older releases first removed
// whatever was at their name, so the caller treats them as entries).
class TarReader {
 public:
  explicit TarReader(std::string_view archive) : archive_(archive) {}

  // The next entry; no value at the end of the archive.
  Result<std::optional<Entry>> next();

 private:
  // The data of the entry whose header is at `at`; moves past it and its
  // padding (which, as in Go, may be cut short at the end of the data).
  Result<std::string_view> take_data(std::size_t at, std::int64_t size);

  std::string_view archive_;
  std::size_t pos_ = 0;
  bool ended_ = false;
};

Result<std::string_view> TarReader::take_data(std::size_t at, std::int64_t size) {
  if (size < 0) return not_tar("bad size in the header " + at_byte(at));
  const std::size_t start = at + kBlockSize;
  const auto length = static_cast<std::uint64_t>(size);
  if (length > archive_.size() - start) {
    return not_tar("entry " + at_byte(at) + " runs past the end of the data");
  }
  const auto bytes = static_cast<std::size_t>(length);
  pos_ = start + bytes + (kBlockSize - bytes % kBlockSize) % kBlockSize;
  return archive_.substr(start, bytes);
}

Result<std::optional<Entry>> TarReader::next() {
  std::optional<PaxRecords> pax;  // from the last 'x' header
  std::string long_name;          // from the last 'L' header
  while (true) {
    if (ended_ || pos_ >= archive_.size()) {
      ended_ = true;
      return std::optional<Entry>();
    }
    const std::size_t at = pos_;
    if (archive_.size() - at < kBlockSize) return not_tar("incomplete header " + at_byte(at));
    const std::string_view block = archive_.substr(at, kBlockSize);
    if (is_zero_block(block)) {
      // One zero block may end the data; otherwise a second must follow.
      const std::size_t second = at + kBlockSize;
      ended_ = true;
      if (second == archive_.size()) return std::optional<Entry>();
      if (archive_.size() - second < kBlockSize) {
        return not_tar("incomplete header " + at_byte(second));
      }
      if (is_zero_block(archive_.substr(second, kBlockSize))) return std::optional<Entry>();
      return not_tar("bad header " + at_byte(second));
    }

    auto header = parse_header(block);
    if (!header) return not_tar("bad header " + at_byte(at));
    if (!is_header_only(header->type) && header->size < 0) {
      return not_tar("bad size in the header " + at_byte(at));
    }

    const char type = header->type;
    if (type == 'x' || type == 'g' || type == 'L' || type == 'K') {
      if (header->size > static_cast<std::int64_t>(kMaxSpecialFileBytes)) {
        return not_tar("extended header " + at_byte(at) + " is larger than 1 MiB");
      }
      auto data = take_data(at, header->size);
      if (!data) return moat::unexpected(std::move(data).error());
      if (type == 'L') {
        long_name = std::string(c_string(*data));
      } else if (type == 'x' || type == 'g') {
        auto records = parse_pax(*data);
        if (!records) return not_tar("bad pax extended header " + at_byte(at));
        if (type == 'x') {
          pax = std::move(records);  // replaces an earlier one, as in Go
          continue;
        }
        if (records->path) {
          return fail("the build context has a pax global header " + at_byte(at) +
                      " that sets a path, which Moat does not support");
        }
        // Go returns the global header by itself: pending long names and pax
        // records are dropped with it.
        Entry global;
        global.offset = at;
        global.type = 'g';
        global.name = std::move(header->name);
        return std::optional<Entry>(std::move(global));
      }
      continue;  // 'L' and 'K' apply to the next header
    }

    Entry entry;
    entry.offset = at;
    entry.type = type;
    entry.name = std::move(header->name);
    std::int64_t size = header->size;
    if (pax) {
      if (pax->sparse) {
        return fail("the build context has a sparse file " + at_byte(at) +
                    ", which Moat does not support");
      }
      if (pax->path && !pax->path->empty()) entry.name = *pax->path;
      if (pax->size && !pax->size->empty()) {
        const auto pax_size = parse_decimal(*pax->size);
        if (!pax_size) return not_tar("bad pax size for the entry " + at_byte(at));
        size = *pax_size;
      }
    }
    if (!long_name.empty()) entry.name = long_name;
    if (entry.type == '\0') {
      // Old archives mark directories with a trailing slash only.
      entry.type = !entry.name.empty() && entry.name.back() == '/' ? '5' : '0';
    }
    if (entry.type == 'S') {
      return fail("the build context has a sparse file " + at_byte(at) +
                  ", which Moat does not support");
    }
    if (is_header_only(entry.type)) size = 0;
    auto data = take_data(at, size);
    if (!data) return moat::unexpected(std::move(data).error());
    entry.data = *data;
    return std::optional<Entry>(std::move(entry));
  }
}

// ---- names ----

// The name relative to the context root, as the engine's
// filepath.Join("/", filepath.Clean(name)) leaves it but without the leading
// "/" ("" for the root itself); no value when a ".." climbs above the root.
std::optional<std::string> clean_name(std::string_view name) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (start <= name.size()) {
    const std::size_t slash = std::min(name.find('/', start), name.size());
    const std::string_view part = name.substr(start, slash - start);
    if (part == "..") {
      if (parts.empty()) return std::nullopt;
      parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    start = slash + 1;
  }
  std::string cleaned;
  for (const std::string_view part : parts) {
    if (!cleaned.empty()) cleaned.push_back('/');
    cleaned.append(part);
  }
  return cleaned;
}

// Whether `ancestor` is a directory component of `name` ("a" of "a/b").
bool is_proper_prefix(std::string_view ancestor, std::string_view name) {
  return name.size() > ancestor.size() && name.substr(0, ancestor.size()) == ancestor &&
         name[ancestor.size()] == '/';
}

bool is_link(char type) { return type == '1' || type == '2'; }

bool is_regular(char type) { return type == '0' || type == '7'; }

// The names of the link entries seen so far, as a tree of path components,
// so that "is any directory above this name a link" costs one walk down the
// name. Nodes live in one vector (no deep recursion on destruction).
class LinkTree {
 public:
  void add(std::string_view name) {
    std::size_t node = 0;
    std::size_t start = 0;
    while (true) {
      const std::size_t slash = name.find('/', start);
      const std::string_view part =
          name.substr(start, slash == std::string_view::npos ? slash : slash - start);
      auto found = nodes_[node].children.find(part);
      if (found == nodes_[node].children.end()) {
        nodes_.emplace_back();
        found = nodes_[node].children.emplace(std::string(part), nodes_.size() - 1).first;
      }
      node = found->second;
      if (slash == std::string_view::npos) break;
      start = slash + 1;
    }
    nodes_[node].link = true;
  }

  // The first directory above `name` that is a link, if any.
  std::optional<std::string_view> link_above(std::string_view name) const {
    std::size_t node = 0;
    std::size_t start = 0;
    while (true) {
      const std::size_t slash = name.find('/', start);
      if (slash == std::string_view::npos) return std::nullopt;
      const auto found = nodes_[node].children.find(name.substr(start, slash - start));
      if (found == nodes_[node].children.end()) return std::nullopt;
      node = found->second;
      if (nodes_[node].link) return name.substr(0, slash);
      start = slash + 1;
    }
  }

 private:
  struct Node {
    bool link = false;
    std::map<std::string, std::size_t, std::less<>> children;
  };
  std::vector<Node> nodes_ = std::vector<Node>(1);
};

// What the extracted context would hold under one name.
struct Candidate {
  std::string name;
  std::optional<Entry> last;  // the last entry with this name: the one kept
                              // (or a directory made for an entry below it)
  std::string link_above;     // a link entry at a directory of the name
};

}  // namespace

Result<std::string> dockerfile_from_context(std::string_view archive, std::string_view dockerfile) {
  if (const std::string_view format = compression_of(archive); !format.empty()) {
    return fail("the build context is compressed (" + std::string(format) +
                "); Moat reads the Dockerfile from an uncompressed context only: build "
                "without --compress");
  }

  const std::string_view requested = dockerfile.empty() ? kDefaultName : dockerfile;
  const auto wanted = clean_name(requested);
  if (!wanted) return fail("dockerfile " + quoted(requested) + " is outside the build context");
  if (wanted->empty()) {
    return fail("dockerfile " + quoted(requested) + " names the build context itself, not a file");
  }
  // The engine tries "dockerfile" when "Dockerfile", as named, is missing.
  const bool may_fall_back = requested == kDefaultName;
  Candidate primary{*wanted, std::nullopt, {}};
  Candidate fallback{std::string(kFallbackName), std::nullopt, {}};

  LinkTree links;
  TarReader reader(archive);
  while (true) {
    auto next = reader.next();
    if (!next) return moat::unexpected(std::move(next).error());
    if (!*next) break;
    Entry& entry = **next;

    const auto name = clean_name(entry.name);
    if (!name) return fail("tar entry " + quoted(entry.name) + " is outside the build context");
    if (name->empty()) {
      // The context root: a directory entry only sets its metadata.
      if (entry.type == '5') continue;
      return fail("tar entry " + quoted(entry.name) + " is " + kind_of(entry.type) +
                  " in place of the build context's root, which Moat cannot check");
    }
    if (const auto link = links.link_above(*name)) {
      return fail("tar entry " + quoted(entry.name) + " would be written through the link " +
                  quoted(*link) + ", which Moat cannot check");
    }
    if (is_link(entry.type)) {
      links.add(*name);
      if (primary.link_above.empty() && is_proper_prefix(*name, primary.name)) {
        primary.link_above = *name;
      }
    }
    for (Candidate* candidate : {&primary, &fallback}) {
      // Extraction creates missing parent directories ("a/b" makes "a").
      if (!candidate->last && is_proper_prefix(candidate->name, *name)) {
        candidate->last = Entry{entry.offset, '5', candidate->name, {}};
      }
    }
    if (*name == primary.name) {
      primary.last = std::move(entry);
    } else if (may_fall_back && *name == fallback.name) {
      fallback.last = std::move(entry);
    }
  }

  if (!primary.link_above.empty()) {
    return fail("the Dockerfile " + quoted(primary.name) + " is reached through the link " +
                quoted(primary.link_above) +
                ", which the builder would follow and Moat cannot check");
  }
  const Candidate* chosen = &primary;
  if (!primary.last) {
    if (!may_fall_back || !fallback.last) {
      return fail("no file named " + quoted(primary.name) +
                  (may_fall_back ? " or " + quoted(fallback.name) : std::string()) +
                  " in the build context");
    }
    chosen = &fallback;
  }
  const Entry& file = *chosen->last;
  if (!is_regular(file.type)) {
    return fail("the Dockerfile " + quoted(chosen->name) + " is " + kind_of(file.type) +
                ", not a regular file Moat can check");
  }
  if (file.data.size() > kMaxDockerfileBytes) {
    return fail("the Dockerfile " + quoted(chosen->name) + " is " +
                std::to_string(file.data.size()) +
                " bytes; the engine would read it, but Moat checks Dockerfiles of up to 1 MiB "
                "only");
  }
  return std::string(file.data);
}

}  // namespace moat::core::image

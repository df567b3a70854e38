#include "runtime/idmap/range_allocator.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <utility>

#include "core/json/strict_json.h"

namespace moat::runtime::idmap {
namespace {

using nlohmann::json;

std::string errno_text(int err) { return std::strerror(err); }

Result<void> make_dir(const std::string& path) {
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
    return fail("cannot create " + path + ": " + errno_text(errno));
  }
  return {};
}

// Holds an exclusive flock on the table's lock file for its lifetime.
class TableLock {
 public:
  static Result<TableLock> acquire(const std::string& dir) {
    for (const std::string& d : {dir, dir + "/slots", dir + "/by-id"}) {
      if (auto made = make_dir(d); !made) {
        return unexpected(made.error());
      }
    }
    const std::string path = dir + "/lock";
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
      return fail("cannot open " + path + ": " + errno_text(errno));
    }
    while (::flock(fd, LOCK_EX) != 0) {
      if (errno != EINTR) {
        const int err = errno;
        ::close(fd);
        return fail("cannot lock " + path + ": " + errno_text(err));
      }
    }
    return TableLock(fd);
  }
  TableLock(TableLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  TableLock& operator=(TableLock&&) = delete;
  TableLock(const TableLock&) = delete;
  TableLock& operator=(const TableLock&) = delete;
  ~TableLock() {
    if (fd_ >= 0) {
      ::close(fd_);  // closing drops the flock
    }
  }

 private:
  explicit TableLock(int fd) : fd_(fd) {}
  int fd_;
};

// Contents of a file, or nothing if it does not exist.
Result<std::optional<std::string>> read_small_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    if (errno == ENOENT) {
      return std::optional<std::string>();
    }
    return fail("cannot open " + path + ": " + errno_text(errno));
  }
  std::string text;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return fail("cannot read " + path + ": " + errno_text(err));
    }
    if (n == 0) {
      break;
    }
    text.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return std::optional<std::string>(std::move(text));
}

// Temporaries are written only under the table's lock, so one seen while
// holding it was left by a writer that crashed: it holds nothing.
std::string temporary_of(const std::string& dir, const std::string& name) { return dir + "/." + name + ".tmp"; }

// Written whole to a dot-file, then renamed over the old one.
Result<void> write_file_atomically(const std::string& dir, const std::string& name,
                                   const std::string& text) {
  const std::string tmp = temporary_of(dir, name);
  const std::string final_path = dir + "/" + name;
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    return fail("cannot create " + tmp + ": " + errno_text(errno));
  }
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      const int err = errno;
      ::close(fd);
      return fail("cannot write " + tmp + ": " + errno_text(err));
    }
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
  if (::rename(tmp.c_str(), final_path.c_str()) != 0) {
    return fail("cannot replace " + final_path + ": " + errno_text(errno));
  }
  return {};
}

Result<void> remove_file(const std::string& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return fail("cannot remove " + path + ": " + errno_text(errno));
  }
  return {};
}

std::optional<std::size_t> parse_slot(std::string_view text) {
  std::size_t v = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || text.empty()) {
    return std::nullopt;
  }
  return v;
}

std::string corrupt(const std::string& path, const std::string& why) {
  return "the id range table entry " + path + " is unreadable (" + why +
         "); no range is handed out until it is repaired or, with no container running, "
         "removed";
}

// Every slot in use, from the names in slots/; removes the temporaries a
// crash left there.
Result<std::vector<std::size_t>> used_slots(const std::string& dir, std::size_t slot_count) {
  const std::string slots_dir = dir + "/slots";
  DIR* d = ::opendir(slots_dir.c_str());
  if (d == nullptr) {
    return fail("cannot list " + slots_dir + ": " + errno_text(errno));
  }
  std::vector<std::size_t> used;
  std::string bad;
  while (const dirent* e = ::readdir(d)) {
    const std::string_view name(e->d_name);
    if (name.starts_with(".")) {
      if (name.ends_with(".tmp")) {
        (void)::unlink((slots_dir + "/" + std::string(name)).c_str());  // see temporary_of
      }
      continue;
    }
    const auto slot = parse_slot(name);
    if (!slot || *slot >= slot_count) {
      bad = std::string(name);
      break;
    }
    used.push_back(*slot);
  }
  ::closedir(d);
  if (!bad.empty()) {
    return fail(corrupt(slots_dir + "/" + bad, "not a slot number below " +
                                                    std::to_string(slot_count)));
  }
  std::sort(used.begin(), used.end());
  return used;
}

Result<Allocation> parse_slot_entry(const std::string& path, std::size_t slot, const std::string& text) {
  auto doc = core::json::parse_strict(text);
  if (!doc) {
    return fail(corrupt(path, doc.error().message));
  }
  const json& e = doc->value;
  if (!e.is_object() || !e.contains("id") || !e["id"].is_string() || !e.contains("runcRoot") ||
      !e["runcRoot"].is_string() || !e.contains("allocatedAt") ||
      !e["allocatedAt"].is_number_integer()) {
    return fail(corrupt(path, "it lacks id, runcRoot or allocatedAt"));
  }
  return Allocation{slot, e["id"].get<std::string>(), e["runcRoot"].get<std::string>(),
                    e["allocatedAt"].get<std::int64_t>()};
}

// The allocation a slot holds, or none when the slot is free.
Result<std::optional<Allocation>> owner_of(const std::string& dir, std::size_t slot) {
  const std::string path = dir + "/slots/" + std::to_string(slot);
  auto text = read_small_file(path);
  if (!text) {
    return unexpected(text.error());
  }
  if (!*text) {
    return std::optional<Allocation>();
  }
  auto owner = parse_slot_entry(path, slot, **text);
  if (!owner) {
    return unexpected(owner.error());
  }
  return std::optional<Allocation>(std::move(*owner));
}

// The allocation of a slot the table lists as used.
Result<Allocation> read_slot(const std::string& dir, std::size_t slot) {
  auto owner = owner_of(dir, slot);
  if (!owner) {
    return unexpected(owner.error());
  }
  if (!*owner) {
    return fail(corrupt(dir + "/slots/" + std::to_string(slot), "vanished while the table was locked"));
  }
  return std::move(**owner);
}

// The slot recorded for a container id, if any.
Result<std::optional<std::size_t>> slot_of(const std::string& dir, const std::string& id,
                                           std::size_t slot_count) {
  const std::string path = dir + "/by-id/" + id;
  auto text = read_small_file(path);
  if (!text) {
    return unexpected(text.error());
  }
  if (!*text) {
    return std::optional<std::size_t>();
  }
  const auto slot = parse_slot(**text);
  if (!slot || *slot >= slot_count) {
    return fail(corrupt(path, "not a slot number below " + std::to_string(slot_count)));
  }
  return std::optional<std::size_t>(*slot);
}

// Ids become file names: refuse anything that is not one plain name.
bool safe_id(const std::string& id) {
  return !id.empty() && id != "." && id != ".." && id.find('/') == std::string::npos &&
         id.find('\0') == std::string::npos && !id.starts_with(".");
}

std::optional<std::size_t> lowest_free(const std::vector<std::size_t>& used, std::size_t count) {
  std::size_t candidate = 0;
  for (std::size_t s : used) {  // sorted
    if (s != candidate) {
      break;
    }
    ++candidate;
  }
  return candidate < count ? std::optional<std::size_t>(candidate) : std::nullopt;
}

}  // namespace

RangeAllocator::RangeAllocator(std::string state_dir, AllocatorConfig config)
    : dir_(std::move(state_dir) + "/idmap"), config_(config), now_([] {
        return static_cast<std::int64_t>(
            std::chrono::duration_cast<std::chrono::seconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count());
      }) {}

IdRange RangeAllocator::range_of(std::size_t slot) const {
  return IdRange{static_cast<std::uint32_t>(config_.base + slot * config_.range_size),
                 config_.range_size};
}

Result<IdRange> RangeAllocator::allocate(const std::string& container_id,
                                         const std::string& runc_root,
                                         const LivenessCheck& is_live) {
  if (!safe_id(container_id)) {
    return fail("cannot allocate an id range for container id \"" + container_id + "\"");
  }
  auto lock = TableLock::acquire(dir_);
  if (!lock) {
    return unexpected(lock.error());
  }
  (void)::unlink(temporary_of(dir_ + "/by-id", container_id).c_str());
  auto existing = slot_of(dir_, container_id, config_.slots);
  if (!existing) {
    return unexpected(existing.error());
  }
  if (*existing) {
    auto owner = owner_of(dir_, **existing);
    if (!owner) {
      return unexpected(owner.error());
    }
    if (*owner && (*owner)->container_id == container_id) {
      return range_of(**existing);
    }
    // Left by a crash between the two files: the slot is free or another's.
    if (auto r = remove_file(dir_ + "/by-id/" + container_id); !r) {
      return unexpected(r.error());
    }
  }
  auto used = used_slots(dir_, config_.slots);
  if (!used) {
    return unexpected(used.error());
  }
  auto slot = lowest_free(*used, config_.slots);
  if (!slot && is_live) {
    // Take back slots of containers that are gone without a `delete`.
    const std::int64_t now = now_();
    for (std::size_t s : *used) {
      auto owner = read_slot(dir_, s);
      if (!owner) {
        return unexpected(owner.error());
      }
      if (now - owner->allocated_at < config_.grace_seconds || is_live(*owner)) {
        continue;
      }
      if (auto r = remove_file(dir_ + "/slots/" + std::to_string(s)); !r) {
        return unexpected(r.error());
      }
      if (auto r = remove_file(dir_ + "/by-id/" + owner->container_id); !r) {
        return unexpected(r.error());
      }
      slot = s;
      break;
    }
  }
  if (!slot) {
    return fail("all " + std::to_string(config_.slots) + " id ranges of " +
                std::to_string(config_.range_size) + " ids from " + std::to_string(config_.base) +
                " are held by running containers; stop a container and try again");
  }
  const json owner{{"id", container_id}, {"runcRoot", runc_root}, {"allocatedAt", now_()}};
  // by-id first, so that `release` always finds a slot this id holds; a
  // crash before the slot file leaves a by-id entry that every reader
  // checks against the slot's owner.
  if (auto w = write_file_atomically(dir_ + "/by-id", container_id, std::to_string(*slot)); !w) {
    return unexpected(w.error());
  }
  if (auto w = write_file_atomically(dir_ + "/slots", std::to_string(*slot), owner.dump() + "\n");
      !w) {
    return unexpected(w.error());
  }
  return range_of(*slot);
}

Result<void> RangeAllocator::release(const std::string& container_id) {
  if (!safe_id(container_id)) {
    return fail("cannot release the id range of container id \"" + container_id + "\"");
  }
  auto lock = TableLock::acquire(dir_);
  if (!lock) {
    return unexpected(lock.error());
  }
  (void)::unlink(temporary_of(dir_ + "/by-id", container_id).c_str());
  auto slot = slot_of(dir_, container_id, config_.slots);
  if (!slot) {
    return unexpected(slot.error());
  }
  if (!*slot) {
    return {};
  }
  (void)::unlink(temporary_of(dir_ + "/slots", std::to_string(**slot)).c_str());
  // The slot first, then by-id (the reverse of allocate): a crash in
  // between leaves a by-id entry pointing at a free slot, which the next
  // release or allocate of this id removes.
  auto owner = owner_of(dir_, **slot);
  if (!owner) {
    return unexpected(owner.error());
  }
  if (*owner && (*owner)->container_id == container_id) {
    if (auto r = remove_file(dir_ + "/slots/" + std::to_string(**slot)); !r) {
      return r;
    }
  }  // else the slot was free already, or taken back and handed on
  return remove_file(dir_ + "/by-id/" + container_id);
}

bool RangeAllocator::may_hold(const std::string& container_id) const {
  if (!safe_id(container_id)) return true;  // release decides, and refuses it
  struct stat info {};
  const std::string by_id = dir_ + "/by-id";
  return ::lstat((by_id + "/" + container_id).c_str(), &info) == 0 || errno != ENOENT ||
         ::lstat(temporary_of(by_id, container_id).c_str(), &info) == 0 || errno != ENOENT;
}

Result<std::optional<IdRange>> RangeAllocator::find(const std::string& container_id) const {
  if (!safe_id(container_id)) {
    return std::optional<IdRange>();
  }
  auto lock = TableLock::acquire(dir_);
  if (!lock) {
    return unexpected(lock.error());
  }
  auto slot = slot_of(dir_, container_id, config_.slots);
  if (!slot) {
    return unexpected(slot.error());
  }
  if (!*slot) {
    return std::optional<IdRange>();
  }
  return std::optional<IdRange>(range_of(**slot));
}

Result<std::vector<Allocation>> RangeAllocator::list() const {
  auto lock = TableLock::acquire(dir_);
  if (!lock) {
    return unexpected(lock.error());
  }
  auto used = used_slots(dir_, config_.slots);
  if (!used) {
    return unexpected(used.error());
  }
  std::vector<Allocation> out;
  for (std::size_t s : *used) {
    auto owner = read_slot(dir_, s);
    if (!owner) {
      return unexpected(owner.error());
    }
    out.push_back(std::move(*owner));
  }
  return out;
}

bool runc_knows_container(const Allocation& allocation) {
  std::error_code ec;
  const bool exists = std::filesystem::exists(
      std::filesystem::path(allocation.runc_root) / allocation.container_id / "state.json", ec);
  // An error other than "absent" counts as live: never reuse a range on doubt.
  return exists || static_cast<bool>(ec);
}

}  // namespace moat::runtime::idmap

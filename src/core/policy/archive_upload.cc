#include "core/policy/archive_upload.h"

#include <algorithm>

namespace moat::core::policy {
namespace {

namespace tar = image::tar;

constexpr const char* kRule = "container.archive-entry";
// The engine sniffs this many bytes for a compression's magic.
constexpr std::size_t kLongestMagic = 6;
constexpr std::int64_t kSetuidOrSetgid = 06000;

std::uint64_t padding_of(std::uint64_t size) { return (tar::kBlockSize - size % tar::kBlockSize) % tar::kBlockSize; }

std::string mode_text(std::int64_t mode) {
  std::string octal;
  for (auto m = static_cast<std::uint64_t>(mode) & 07777; m != 0 || octal.empty(); m >>= 3) {
    octal.insert(octal.begin(), static_cast<char>('0' + (m & 7)));
  }
  return octal;
}

}  // namespace

bool is_archive_upload(std::string_view method, const std::vector<std::string>& segments) {
  return method == "PUT" && is_archive_copy(method, segments);
}

bool is_archive_copy(std::string_view method, const std::vector<std::string>& segments) {
  return (method == "PUT" || method == "GET" || method == "HEAD") && segments.size() == 3 &&
         segments[0] == "containers" && segments[2] == "archive";
}

Decision judge_archive_target(const std::string& container, bool copies_in,
                              const Result<std::vector<engine::HostMount>>& mounts, uid_t caller,
                              const std::function<std::optional<uid_t>(const std::string&)>& owner_of) {
  constexpr const char* kTargetRule = "container.archive-host-mount";
  const std::string remedy =
      copies_in ? "No setting allows this: copy into a container that does not mount it, or through the container "
                  "itself (docker exec -i " + container + " tar -x -C DIR < ARCHIVE)."
                : "No setting allows this: copy out of a container that does not mount it, or through the container "
                  "itself (docker exec " + container + " tar -c -C DIR . > ARCHIVE).";
  const std::string copy_as_root = copies_in ? ", and the engine would write what docker cp copies there as root"
                                             : ", and the engine would read what docker cp copies from there as root";
  if (caller == 0) return Decision::allow(kTargetRule);
  if (!mounts) {
    return Decision::deny(kTargetRule, "",
                          "Moat cannot tell where a copy into container " + container + " would land (" +
                              mounts.error().message + ")" + copy_as_root,
                          remedy);
  }
  for (const engine::HostMount& mount : *mounts) {
    const std::string shown = " at " + mount.destination;
    if (mount.source.empty()) {
      return Decision::deny(kTargetRule, "",
                            "container " + container + " mounts a volume of another driver" + shown +
                                ", whose files Moat cannot see" + copy_as_root,
                            remedy);
    }
    const auto owner = owner_of(mount.source);
    if (!owner || *owner != caller) {
      const std::string whose = owner ? "owner uid " + std::to_string(*owner) : "its owner cannot be read";
      return Decision::deny(kTargetRule, "",
                            "container " + container + " shows the host directory " + mount.source + shown +
                                ", which is not yours (" + whose + ")" + copy_as_root,
                            remedy);
    }
  }
  return Decision::allow(kTargetRule);
}

Decision ArchiveUploadCheck::refuse(const std::string& reason) const {
  return Decision::deny(kRule, "",
                        "the archive copied into the container " + reason +
                            "; the engine unpacks it as root, and a path in a container can be a host directory",
                        "No setting allows this: copy plain files and directories, and set up anything more "
                        "(setuid bits, devices, links, capabilities) inside the container.");
}

Decision ArchiveUploadCheck::unreadable(const std::string& reason) const {
  return Decision::deny(kRule, "", "the archive copied into the container " + reason,
                        "No setting allows this: send a plain tar archive, as docker cp does.");
}

Result<std::string_view, Decision> ArchiveUploadCheck::feed(std::string_view bytes, bool last) {
  if (start_checked_) {
    held_.clear();
    if (auto scanned = scan(bytes); !scanned) return unexpected(scanned.error());
    return bytes;
  }
  held_.append(bytes);
  if (held_.size() < kLongestMagic && !last) return std::string_view();
  if (const std::string_view compression = tar::compression_of(held_); !compression.empty()) {
    return unexpected(unreadable("is compressed (" + std::string(compression) +
                             "), and Moat checks only plain tar archives, which the engine unpacks as root"));
  }
  start_checked_ = true;
  if (auto scanned = scan(held_); !scanned) return unexpected(scanned.error());
  return std::string_view(held_);
}

Result<void, Decision> ArchiveUploadCheck::scan(std::string_view bytes) {
  while (!bytes.empty()) {
    std::size_t used = bytes.size();
    switch (state_) {
      case State::kEnded:
        // Go stops reading at the end; what follows is never unpacked.
        break;
      case State::kSkip: {
        used = static_cast<std::size_t>(std::min<std::uint64_t>(skip_left_, bytes.size()));
        skip_left_ -= used;
        if (skip_left_ == 0) state_ = State::kHeader;
        break;
      }
      case State::kHeader: {
        if (block_.empty()) block_at_ = offset_;
        used = std::min(tar::kBlockSize - block_.size(), bytes.size());
        block_.append(bytes.substr(0, used));
        break;
      }
      case State::kSpecialData: {
        used = static_cast<std::size_t>(std::min<std::uint64_t>(special_left_, bytes.size()));
        special_.append(bytes.substr(0, used));
        special_left_ -= used;
        break;
      }
    }
    offset_ += used;
    bytes.remove_prefix(used);
    if (state_ == State::kHeader && block_.size() == tar::kBlockSize) {
      if (auto done = on_block(); !done) return done;
    } else if (state_ == State::kSpecialData && special_left_ == 0) {
      if (auto done = on_special_data(); !done) return done;
    }
  }
  return {};
}

Result<void, Decision> ArchiveUploadCheck::on_block() {
  const std::string block = std::move(block_);
  block_.clear();
  const std::string where = " at byte " + std::to_string(block_at_);
  if (tar::is_zero_block(block)) {
    // Two zero blocks end the archive (one may end the data).
    if (zero_block_seen_) state_ = State::kEnded;
    zero_block_seen_ = true;
    return {};
  }
  if (zero_block_seen_) return unexpected(unreadable("goes on after a zero block" + where + ", which Go refuses"));
  const auto header = tar::parse_header(block);
  if (!header) return unexpected(unreadable("has a header Go refuses" + where));
  const char type = header->type;
  if (type == 'x' || type == 'g' || type == 'L' || type == 'K') {
    if (header->size < 0 || header->size > static_cast<std::int64_t>(tar::kMaxSpecialFileBytes)) {
      return unexpected(unreadable("has an extended header over 1 MiB" + where));
    }
    special_type_ = type;
    special_left_ = static_cast<std::uint64_t>(header->size);
    special_padding_ = padding_of(special_left_);
    special_.clear();
    state_ = State::kSpecialData;
    if (special_left_ == 0) return on_special_data();
    return {};
  }
  return on_entry(*header);
}

Result<void, Decision> ArchiveUploadCheck::on_special_data() {
  state_ = special_padding_ == 0 ? State::kHeader : State::kSkip;
  skip_left_ = special_padding_;
  if (special_type_ == 'L') {
    long_name_ = std::string(tar::c_string(special_));
    return {};
  }
  if (special_type_ == 'K') return {};
  auto records = tar::parse_pax(special_);
  if (!records) return unexpected(unreadable("has a pax header Go refuses at byte " + std::to_string(block_at_)));
  if (special_type_ == 'x') {
    pax_ = std::move(records);  // replaces an earlier one, as in Go
    return {};
  }
  // Go hands a global header over by itself (the engine skips it), and
  // pending records and long names go with it.
  pax_.reset();
  long_name_.clear();
  return {};
}

Result<void, Decision> ArchiveUploadCheck::on_entry(const tar::Header& header) {
  std::string name = header.name;
  std::int64_t size = header.size;
  const std::optional<tar::PaxRecords> pax = std::move(pax_);
  pax_.reset();
  if (pax && pax->path && !pax->path->empty()) name = *pax->path;
  if (!long_name_.empty()) name = std::move(long_name_);
  long_name_.clear();
  char type = header.type;
  if (type == '\0') type = !name.empty() && name.back() == '/' ? '5' : '0';
  const std::string entry = "entry " + tar::quoted(name);

  if (pax && pax->xattr) {
    return unexpected(refuse("sets the extended attribute " + tar::quoted(*pax->xattr) + " on its " + entry));
  }
  if (type == '3' || type == '4') return unexpected(refuse("has " + entry + ", " + tar::kind_of(type)));
  if (type == '1') {
    return unexpected(
        refuse("has " + entry + ", a hard link, which the engine would make and chmod as root wherever it points"));
  }
  if ((header.mode & kSetuidOrSetgid) != 0) {
    return unexpected(refuse("has " + entry + " with mode " + mode_text(header.mode) + ", which is " +
                             ((header.mode & 04000) != 0 ? "setuid" : "setgid")));
  }
  if (type == 'S' || (pax && pax->sparse)) {
    return unexpected(unreadable("has " + entry + ", a sparse file, which Moat does not check"));
  }
  if (pax && pax->size && !pax->size->empty()) {
    const auto pax_size = tar::parse_decimal(*pax->size);
    if (!pax_size) return unexpected(unreadable("has a pax size Go refuses for its " + entry));
    size = *pax_size;
  }
  if (tar::is_header_only(type)) size = 0;
  if (size < 0) return unexpected(unreadable("has a negative size for its " + entry));
  skip_left_ = static_cast<std::uint64_t>(size) + padding_of(static_cast<std::uint64_t>(size));
  state_ = skip_left_ == 0 ? State::kHeader : State::kSkip;
  return {};
}

}  // namespace moat::core::policy

#pragma once
// What moatd lets through of an archive copied into a container (PUT
// /containers/{id}/archive, `docker cp SRC CONTAINER:DEST`). The engine
// unpacks it as root, and a path in the container may be a host directory
// bind-mounted into it, so an entry that would be a privilege on the host is
// refused (rule container.archive-entry): a setuid or setgid file, a device
// node, extended attributes (file capabilities, ACLs), or a hard link (the
// engine links and then chmods whatever file it names). No setting allows
// them.
//
// The engine reads the tar with Go's archive/tar while it arrives; this
// reads it the same way (image/tar_format.h) as it streams through moatd,
// and a piece goes on only once every header in it was checked. So the
// engine never sees a refused entry; the entries before it may be unpacked.
// Also refused, because what the engine would unpack could not be checked:
// compressed archives (docker cp sends a plain tar), sparse files, and
// headers Go would refuse.

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/engine/container_record.h"
#include "core/image/tar_format.h"
#include "core/policy/decision.h"
#include "core/result/result.h"

namespace moat::core::policy {

// PUT /containers/{id}/archive.
bool is_archive_upload(std::string_view method, const std::vector<std::string>& segments);
// PUT, GET or HEAD /containers/{id}/archive: docker cp either way.
bool is_archive_copy(std::string_view method, const std::vector<std::string>& segments);

// Where a copy into or out of `container` can reach: the engine writes and
// reads it as root, also in the host directories the container shows.
// Allowed only when each of them is the caller's own (or the caller is
// root); otherwise, or when the container's mounts or a directory's owner
// cannot be read, it is refused (rule container.archive-host-mount), as with
// /tmp bound into it, where other users' files are. `owner_of` gives a host
// path's owner.
Decision judge_archive_target(const std::string& container, bool copies_in,
                              const Result<std::vector<engine::HostMount>>& mounts, uid_t caller,
                              const std::function<std::optional<uid_t>(const std::string&)>& owner_of);

class ArchiveUploadCheck {
 public:
  // Checks the next bytes of the body (`last`: the body ends with them) and
  // returns what may go to the engine now: all the bytes fed so far, except
  // the first few, held until it is clear they do not start a compressed
  // stream. The view lasts until the next call. A refusal names the entry.
  Result<std::string_view, Decision> feed(std::string_view bytes, bool last);

 private:
  enum class State { kHeader, kSpecialData, kSkip, kEnded };

  // Consumes bytes; a refusal stops everything.
  Result<void, Decision> scan(std::string_view bytes);
  Result<void, Decision> on_block();
  Result<void, Decision> on_special_data();
  Result<void, Decision> on_entry(const image::tar::Header& header);
  Decision refuse(const std::string& reason) const;      // an entry that would be a privilege
  Decision unreadable(const std::string& reason) const;  // what Moat cannot check

  State state_ = State::kHeader;
  std::uint64_t offset_ = 0;        // of the next byte scanned
  std::uint64_t block_at_ = 0;      // where the current block began
  std::string block_;               // the header block being assembled
  bool zero_block_seen_ = false;    // a zero block: the next one ends the archive
  char special_type_ = 0;           // 'x', 'g', 'L' or 'K' whose data is being read
  std::uint64_t special_left_ = 0;  // of its data
  std::uint64_t special_padding_ = 0;
  std::string special_;
  std::uint64_t skip_left_ = 0;     // data and padding of an entry
  std::optional<image::tar::PaxRecords> pax_;  // from the last 'x' header
  std::string long_name_;                      // from the last 'L' header

  bool start_checked_ = false;  // the first bytes are not a compression's magic
  std::string held_;            // bytes held until then
};

}  // namespace moat::core::policy

#pragma once
// Exclusive id ranges for containers: slot n is host ids
// base + n*size .. base + (n+1)*size - 1 (by default 100000 + n*65536, 4096
// slots). The table lives under <state>/idmap/, changed only under an
// exclusive flock on <state>/idmap/lock, so moat-runc processes started at
// the same time for different containers never hand out the same slot:
// slots/<n> holds the owner of slot n, by-id/<container id> the slot of a
// container. Each file is written whole and renamed into place, so a crash
// leaves it old or new, never half written (a temporary left by a crash is
// removed under the lock). by-id is written before the slot and removed
// after it, so a slot never lacks its by-id entry and `release` (the next
// `delete` after a crash) always frees it; a by-id entry a crash left
// alone is checked against the slot's owner before it is believed. The
// state describes running containers only and belongs on tmpfs (/run).
//
// Allocation is keyed by container id: asking again for the same id returns
// its slot, which makes a retried `create` after a crash harmless;
// `release` frees it on `delete`. Slots whose container died without a
// `delete` are taken back only when no slot is free, and only if a
// liveness check says the container is gone.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/result/result.h"
#include "runtime/idmap/id_range.h"

namespace moat::runtime::idmap {

struct AllocatorConfig {
  std::uint32_t base = 100000;
  std::uint32_t range_size = 65536;
  std::size_t slots = 4096;
  // An entry younger than this is live whatever the liveness check says: its
  // container may be between allocation and `runc create`.
  std::int64_t grace_seconds = 300;
};

struct Allocation {
  std::size_t slot = 0;
  std::string container_id;
  std::string runc_root;        // where runc keeps this container's state
  std::int64_t allocated_at = 0;  // seconds since the epoch
};

// True while the container of an allocation may still run.
using LivenessCheck = std::function<bool(const Allocation&)>;

class RangeAllocator {
 public:
  // state_dir must exist; the table goes to <state_dir>/idmap/.
  explicit RangeAllocator(std::string state_dir, AllocatorConfig config = {});

  Result<IdRange> allocate(const std::string& container_id, const std::string& runc_root,
                           const LivenessCheck& is_live);
  // Frees the container's slot; freeing an id that holds none succeeds.
  Result<void> release(const std::string& container_id);
  Result<std::optional<IdRange>> find(const std::string& container_id) const;
  // False only when the table has nothing of this id: no by-id entry and no
  // temporary of one. Then no slot is the id's either (by-id is written
  // before the slot and removed after it), so `release` has nothing to do.
  // Looks without the lock: a create for the same id does not run at the
  // same time as its delete.
  bool may_hold(const std::string& container_id) const;
  Result<std::vector<Allocation>> list() const;

  IdRange range_of(std::size_t slot) const;

  // Clock for tests.
  void set_clock(std::function<std::int64_t()> now) { now_ = std::move(now); }

 private:
  std::string dir_;
  AllocatorConfig config_;
  std::function<std::int64_t()> now_;
};

// Default liveness: runc still has state for the container under its root.
bool runc_knows_container(const Allocation& allocation);

}  // namespace moat::runtime::idmap

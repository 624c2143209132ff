#pragma once
// A validated bijection between mount-side and storage-side ids of one kind (uid or gid).
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include <boost/container/small_vector.hpp>

#include "idshift/idmap/extent.hpp"

namespace idshift::idmap {

// Immutable once built. Like the kernel's user-namespace maps: up to kInlineExtents extents are
// scanned linearly (they fit in a cache line or two); past that, lookups binary-search two sorted
// index arrays, one per direction, so every lookup is O(log n) in the number of extents.
// Thread-safe for concurrent readers (no mutation after construction). Typed by side and kind: a
// UidRangeMap takes only a MountUid to_storage and only a StorageUid to_mount.
template <typename MountId, typename StorageId>
class BasicRangeMap {
  public:
    using Extent = BasicExtent<MountId, StorageId>;
    static constexpr std::size_t kInlineExtents = 5;

    BasicRangeMap() = default;
    // Precondition: extents do not overlap on either side and none runs past kMaxId
    // (MapBuilder checks this and reports errors with lines; this constructor only asserts).
    explicit BasicRangeMap(std::vector<Extent> extents);
    // The rules of this map's kind as written; the caller vouches for the kind.
    static BasicRangeMap from_rules(const std::vector<RuleExtent>& rules);

    // mount → storage. nullopt when no extent covers the id (no policy applied here).
    std::optional<StorageId> to_storage(MountId mount_id) const noexcept;
    // storage → mount. nullopt when no extent covers the id (no policy applied here).
    std::optional<MountId> to_mount(StorageId storage_id) const noexcept;

    std::span<const Extent> extents() const noexcept { return {extents_.data(), extents_.size()}; }
    bool empty() const noexcept { return extents_.empty(); }

  private:
    boost::container::small_vector<Extent, kInlineExtents> extents_;  // in insertion order
    std::vector<std::uint32_t> by_mount_;    // indexes into extents_, sorted by mount_first
    std::vector<std::uint32_t> by_storage_;  // indexes into extents_, sorted by storage_first
};

// Both are instantiated once, in range_map.cpp.
extern template class BasicRangeMap<MountUid, StorageUid>;
extern template class BasicRangeMap<MountGid, StorageGid>;

using UidRangeMap = BasicRangeMap<MountUid, StorageUid>;
using GidRangeMap = BasicRangeMap<MountGid, StorageGid>;

}  // namespace idshift::idmap

#include "idshift/idmap/id_map.hpp"

#include <utility>

namespace idshift::idmap {
namespace {

// mount → storage for a write: a covered id maps, kInvalidId never does, anything else gets the
// unmapped_write policy.
template <typename Map>
std::optional<typename Map::Extent::Storage> storage_for_write(
    const Map& map, typename Map::Extent::Mount mount_id, UnmappedWrite policy,
    typename Map::Extent::Storage squash_id) noexcept {
    if (raw(mount_id) == kInvalidId) return std::nullopt;
    if (auto id = map.to_storage(mount_id)) return id;
    if (policy == UnmappedWrite::squash) return squash_id;
    return std::nullopt;
}

// storage → mount for reporting: a covered id maps, anything else reads as `unmapped`.
template <typename Map>
typename Map::Extent::Mount mount_for_read(const Map& map, typename Map::Extent::Storage id,
                                           typename Map::Extent::Mount unmapped, Kind kind,
                                           UnmappedReads* seen) noexcept {
    if (auto mapped = map.to_mount(id)) return *mapped;
    if (seen) seen->unmapped_read(kind, raw(id));
    return unmapped;
}

}  // namespace

IdMap::IdMap(UidRangeMap uids, GidRangeMap gids, Policy policy, std::vector<RuleOrigin> origins)
    : uids_(std::move(uids)),
      gids_(std::move(gids)),
      policy_(policy),
      origins_(std::move(origins)) {}

MountUid IdMap::to_mount(StorageUid id, UnmappedReads* seen) const noexcept {
    return mount_for_read(uids_, id, policy_.unmapped_read_uid, Kind::uid, seen);
}

MountGid IdMap::to_mount(StorageGid id, UnmappedReads* seen) const noexcept {
    return mount_for_read(gids_, id, policy_.unmapped_read_gid, Kind::gid, seen);
}

std::optional<MountUid> IdMap::find_mount(StorageUid id) const noexcept {
    return uids_.to_mount(id);
}

std::optional<MountGid> IdMap::find_mount(StorageGid id) const noexcept {
    return gids_.to_mount(id);
}

std::optional<StorageUid> IdMap::find_storage(MountUid id) const noexcept {
    return uids_.to_storage(id);
}

std::optional<StorageGid> IdMap::find_storage(MountGid id) const noexcept {
    return gids_.to_storage(id);
}

std::optional<StorageUid> IdMap::to_storage_for_write(MountUid id) const noexcept {
    return storage_for_write(uids_, id, policy_.unmapped_write, policy_.squash_uid);
}

std::optional<StorageGid> IdMap::to_storage_for_write(MountGid id) const noexcept {
    return storage_for_write(gids_, id, policy_.unmapped_write, policy_.squash_gid);
}

}  // namespace idshift::idmap

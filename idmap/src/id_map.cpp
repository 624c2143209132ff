#include "idshift/idmap/id_map.hpp"

#include <utility>

namespace idshift::idmap {
namespace {

// mount → storage for a write: a covered id maps, kInvalidId never does, anything else gets the
// unmapped_write policy.
std::optional<std::uint32_t> storage_for_write(const RangeMap& map, std::uint32_t mount_id,
                                               UnmappedWrite policy,
                                               std::uint32_t squash_id) noexcept {
    if (mount_id == kInvalidId) return std::nullopt;
    if (auto id = map.to_storage(mount_id)) return id;
    if (policy == UnmappedWrite::squash) return squash_id;
    return std::nullopt;
}

template <typename To>
std::optional<To> wrap(std::optional<std::uint32_t> id) noexcept {
    if (!id) return std::nullopt;
    return To{*id};
}

}  // namespace

IdMap::IdMap(RangeMap uids, RangeMap gids, Policy policy, std::vector<RuleOrigin> origins)
    : uids_(std::move(uids)),
      gids_(std::move(gids)),
      policy_(policy),
      origins_(std::move(origins)) {}

MountUid IdMap::to_mount(StorageUid id) const noexcept {
    return MountUid{uids_.to_mount(raw(id)).value_or(policy_.unmapped_read_uid)};
}

MountGid IdMap::to_mount(StorageGid id) const noexcept {
    return MountGid{gids_.to_mount(raw(id)).value_or(policy_.unmapped_read_gid)};
}

std::optional<MountUid> IdMap::find_mount(StorageUid id) const noexcept {
    return wrap<MountUid>(uids_.to_mount(raw(id)));
}

std::optional<MountGid> IdMap::find_mount(StorageGid id) const noexcept {
    return wrap<MountGid>(gids_.to_mount(raw(id)));
}

std::optional<StorageUid> IdMap::find_storage(MountUid id) const noexcept {
    return wrap<StorageUid>(uids_.to_storage(raw(id)));
}

std::optional<StorageGid> IdMap::find_storage(MountGid id) const noexcept {
    return wrap<StorageGid>(gids_.to_storage(raw(id)));
}

std::optional<StorageUid> IdMap::to_storage_for_write(MountUid id) const noexcept {
    return wrap<StorageUid>(
        storage_for_write(uids_, raw(id), policy_.unmapped_write, policy_.squash_uid));
}

std::optional<StorageGid> IdMap::to_storage_for_write(MountGid id) const noexcept {
    return wrap<StorageGid>(
        storage_for_write(gids_, raw(id), policy_.unmapped_write, policy_.squash_gid));
}

}  // namespace idshift::idmap

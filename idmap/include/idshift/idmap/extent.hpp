#pragma once
#include <cstdint>
#include <optional>

#include "idshift/idmap/ids.hpp"

namespace idshift::idmap {

// Whether [first, first+count) holds id. Written as a subtraction so that it cannot wrap at 2^32
// (first + count may overflow).
constexpr bool covers(std::uint32_t first, std::uint32_t count, std::uint32_t id) noexcept {
    return id >= first && id - first < count;
}

// The three numbers of a rule as written (a map file line, a /proc/PID/uid_map line), before the
// rule's kind, which travels beside it, gives them their types. Only parsing and describing rules
// use it; as<UidExtent>() or as<GidExtent>() is where the kind becomes a type.
struct RuleExtent {
    std::uint32_t mount_first = 0;
    std::uint32_t storage_first = 0;
    std::uint32_t count = 0;

    template <typename Typed>
    constexpr Typed as() const noexcept {
        return Typed{typename Typed::Mount{mount_first}, typename Typed::Storage{storage_first},
                     count};
    }
    friend constexpr bool operator==(const RuleExtent&, const RuleExtent&) = default;
};

// One contiguous run of ids of one kind: mount ids [mount_first, mount_first+count) correspond one
// to one with storage ids [storage_first, storage_first+count). The order of fields is the order
// of /proc/PID/uid_map (inside, outside, count) with "inside" = mount side. Each side has its own
// type, so a lookup with an id of the wrong side or kind does not compile.
template <typename MountId, typename StorageId>
struct BasicExtent {
    using Mount = MountId;
    using Storage = StorageId;

    MountId mount_first{};
    StorageId storage_first{};
    std::uint32_t count = 0;

    constexpr bool covers_mount(MountId id) const noexcept {
        return covers(raw(mount_first), count, raw(id));
    }
    constexpr bool covers_storage(StorageId id) const noexcept {
        return covers(raw(storage_first), count, raw(id));
    }
    // mount → storage; nullopt when the id is outside this extent.
    constexpr std::optional<StorageId> to_storage(MountId id) const noexcept {
        if (!covers_mount(id)) return std::nullopt;
        return StorageId{raw(storage_first) + (raw(id) - raw(mount_first))};
    }
    // storage → mount; nullopt when the id is outside this extent.
    constexpr std::optional<MountId> to_mount(StorageId id) const noexcept {
        if (!covers_storage(id)) return std::nullopt;
        return MountId{raw(mount_first) + (raw(id) - raw(storage_first))};
    }
    // Back to the numbers of a rule, for describing it.
    constexpr RuleExtent rule() const noexcept {
        return {raw(mount_first), raw(storage_first), count};
    }
    friend constexpr bool operator==(const BasicExtent&, const BasicExtent&) = default;
};

using UidExtent = BasicExtent<MountUid, StorageUid>;
using GidExtent = BasicExtent<MountGid, StorageGid>;

}  // namespace idshift::idmap

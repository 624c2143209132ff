#pragma once
#include <cstdint>
#include <optional>

namespace idshift::idmap {

// One contiguous run of ids: mount ids [mount_first, mount_first+count) correspond one to one with
// storage ids [storage_first, storage_first+count). The order of fields is the order of
// /proc/PID/uid_map (inside, outside, count) with "inside" = mount side.
struct Extent {
    std::uint32_t mount_first = 0;
    std::uint32_t storage_first = 0;
    std::uint32_t count = 0;

    // Written as a subtraction so that it cannot wrap at 2^32 (first + count may overflow).
    static constexpr bool covers(std::uint32_t first, std::uint32_t count,
                                 std::uint32_t id) noexcept {
        return id >= first && id - first < count;
    }
    constexpr bool covers_mount(std::uint32_t id) const noexcept {
        return covers(mount_first, count, id);
    }
    constexpr bool covers_storage(std::uint32_t id) const noexcept {
        return covers(storage_first, count, id);
    }
    // mount → storage; nullopt when the id is outside this extent.
    constexpr std::optional<std::uint32_t> to_storage(std::uint32_t id) const noexcept {
        if (!covers_mount(id)) return std::nullopt;
        return storage_first + (id - mount_first);
    }
    // storage → mount; nullopt when the id is outside this extent.
    constexpr std::optional<std::uint32_t> to_mount(std::uint32_t id) const noexcept {
        if (!covers_storage(id)) return std::nullopt;
        return mount_first + (id - storage_first);
    }
    friend constexpr bool operator==(const Extent&, const Extent&) = default;
};

}  // namespace idshift::idmap

#pragma once
// Strong id types. Mixing a storage-side uid with a mount-side uid is *the* characteristic bug of
// an id-remapping filesystem, so each side and kind is its own type and converting between them
// only happens through an IdMap.
#include <cstdint>
#include <type_traits>

namespace idshift::idmap {

// Ids as the kernel presents callers to the daemon and as the daemon reports ownership back.
enum class MountUid : std::uint32_t {};
enum class MountGid : std::uint32_t {};
// Ids as stored on the backing filesystem.
enum class StorageUid : std::uint32_t {};
enum class StorageGid : std::uint32_t {};

// (uid_t)-1 is "no change" to chown(2) and never a valid id.
inline constexpr std::uint32_t kInvalidId = 0xFFFFFFFFu;
// The largest id a rule may cover.
inline constexpr std::uint32_t kMaxId = 0xFFFFFFFEu;
// The kernel's default overflow id (/proc/sys/kernel/overflowuid).
inline constexpr std::uint32_t kOverflowId = 65534;

enum class Kind { uid, gid };

template <typename Id>
constexpr std::uint32_t raw(Id id) noexcept {
    static_assert(std::is_enum_v<Id>);
    return static_cast<std::uint32_t>(id);
}

}  // namespace idshift::idmap

#include "idshift/idmap/fcaps_xattr.hpp"

#include <cerrno>

#include "le_bytes.hpp"

namespace idshift::idmap {
namespace {

// linux/capability.h: magic_etc carries the revision in its high byte and flags
// (VFS_CAP_FLAGS_EFFECTIVE) in the low bits, which are passed through untouched.
constexpr std::uint32_t kRevisionMask = 0xFF000000u;
constexpr std::uint32_t kRevision1 = 0x01000000u;
constexpr std::uint32_t kRevision2 = 0x02000000u;
constexpr std::uint32_t kRevision3 = 0x03000000u;
constexpr std::size_t kSize1 = 12;  // magic_etc + one {permitted, inheritable} pair
constexpr std::size_t kSize2 = 20;  // magic_etc + two pairs
constexpr std::size_t kSize3 = 24;  // revision 2 + le32 rootid
constexpr std::size_t kRootidOffset = 20;

enum class Layout { invalid, no_id, with_rootid };

Layout layout_of(std::span<const std::byte> blob) noexcept {
    if (blob.size() < 4) return Layout::invalid;
    switch (load_le32(blob, 0) & kRevisionMask) {
        case kRevision1:
            return blob.size() == kSize1 ? Layout::no_id : Layout::invalid;
        case kRevision2:
            return blob.size() == kSize2 ? Layout::no_id : Layout::invalid;
        case kRevision3:
            return blob.size() == kSize3 ? Layout::with_rootid : Layout::invalid;
        default:
            return Layout::invalid;
    }
}

}  // namespace

bool is_fcaps_xattr(std::string_view name) noexcept {
    return name == kFcapsXattr;
}

int fcaps_to_mount(std::span<std::byte> blob, const IdMap& map) noexcept {
    const Layout layout = layout_of(blob);
    if (layout == Layout::invalid) return EINVAL;
    if (layout == Layout::no_id) return 0;
    // No unmapped_read fallback: showing a capability as owned by the overflow uid's namespace
    // would be a lie, so the capability is hidden instead.
    const auto rootid = map.find_mount(StorageUid{load_le32(blob, kRootidOffset)});
    if (!rootid) return EOVERFLOW;
    store_le32(blob, kRootidOffset, raw(*rootid));
    return 0;
}

XattrTranslation fcaps_to_storage(std::span<std::byte> blob, const IdMap& map) noexcept {
    const Layout layout = layout_of(blob);
    if (layout == Layout::invalid) return {EINVAL, std::nullopt};
    if (layout == Layout::no_id) return {};
    const MountUid written{load_le32(blob, kRootidOffset)};
    const auto rootid = map.to_storage_for_write(written);
    if (!rootid) return {EINVAL, Refusal{written, 0}};
    store_le32(blob, kRootidOffset, raw(*rootid));
    return {};
}

}  // namespace idshift::idmap

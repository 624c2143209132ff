#include "idshift/idmap/acl_xattr.hpp"

#include <cerrno>

#include "le_bytes.hpp"

namespace idshift::idmap {
namespace {

// linux/posix_acl_xattr.h
constexpr std::uint32_t kAclVersion = 2;
constexpr std::size_t kHeaderSize = 4;
constexpr std::size_t kEntrySize = 8;  // le16 tag, le16 perm, le32 id
constexpr std::uint16_t kAclUser = 0x02;
constexpr std::uint16_t kAclGroup = 0x08;

std::size_t entry_count(std::span<const std::byte> blob) noexcept {
    return (blob.size() - kHeaderSize) / kEntrySize;
}

// Calls fn(tag, id_offset) for every entry that carries an id.
template <typename Fn>
void for_each_id(std::span<const std::byte> blob, Fn fn) {
    for (std::size_t i = 0; i < entry_count(blob); ++i) {
        const std::size_t entry = kHeaderSize + i * kEntrySize;
        const std::uint16_t tag = load_le16(blob, entry);
        if (tag == kAclUser || tag == kAclGroup) fn(tag, entry + 4);
    }
}

}  // namespace

bool is_acl_xattr(std::string_view name) noexcept {
    return name == kAclAccessXattr || name == kAclDefaultXattr;
}

int validate_acl(std::span<const std::byte> blob) noexcept {
    if (blob.size() < kHeaderSize || (blob.size() - kHeaderSize) % kEntrySize != 0) return EINVAL;
    return load_le32(blob, 0) == kAclVersion ? 0 : EINVAL;
}

int acl_to_mount(std::span<std::byte> blob, const IdMap& map) noexcept {
    if (const int err = validate_acl(blob)) return err;
    // Reading never fails: an uncovered id reads as the unmapped_read id.
    for_each_id(blob, [&](std::uint16_t tag, std::size_t at) {
        const std::uint32_t id = load_le32(blob, at);
        const std::uint32_t mapped =
            tag == kAclUser ? raw(map.to_mount(StorageUid{id})) : raw(map.to_mount(StorageGid{id}));
        store_le32(blob, at, mapped);
    });
    return 0;
}

int acl_to_storage(std::span<std::byte> blob, const IdMap& map) noexcept {
    if (const int err = validate_acl(blob)) return err;
    const auto storage_id = [&](std::uint16_t tag,
                                std::uint32_t id) -> std::optional<std::uint32_t> {
        if (tag == kAclUser) {
            auto mapped = map.to_storage_for_write(MountUid{id});
            return mapped ? std::optional(raw(*mapped)) : std::nullopt;
        }
        auto mapped = map.to_storage_for_write(MountGid{id});
        return mapped ? std::optional(raw(*mapped)) : std::nullopt;
    };
    // Every id is checked before any is written, so a refused blob is left exactly as it was.
    bool all_mapped = true;
    for_each_id(blob, [&](std::uint16_t tag, std::size_t at) {
        if (!storage_id(tag, load_le32(blob, at))) all_mapped = false;
    });
    if (!all_mapped) return EINVAL;
    for_each_id(blob, [&](std::uint16_t tag, std::size_t at) {
        store_le32(blob, at, *storage_id(tag, load_le32(blob, at)));
    });
    return 0;
}

}  // namespace idshift::idmap

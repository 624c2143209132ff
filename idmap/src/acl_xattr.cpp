#include "idshift/idmap/acl_xattr.hpp"

#include <cerrno>
#include <variant>

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

// Calls fn(tag, id_offset, entry_index) for every entry that carries an id.
template <typename Fn>
void for_each_id(std::span<const std::byte> blob, Fn fn) {
    for (std::size_t i = 0; i < entry_count(blob); ++i) {
        const std::size_t entry = kHeaderSize + i * kEntrySize;
        const std::uint16_t tag = load_le16(blob, entry);
        if (tag == kAclUser || tag == kAclGroup) fn(tag, entry + 4, i);
    }
}

// The storage id of one entry for a write, or the refusal of its mount id.
std::variant<std::uint32_t, Refusal> storage_id(std::uint16_t tag, std::uint32_t id,
                                                std::size_t entry, const IdMap& map) noexcept {
    if (tag == kAclUser) {
        if (auto mapped = map.to_storage_for_write(MountUid{id})) return raw(*mapped);
        return Refusal{MountUid{id}, entry};
    }
    if (auto mapped = map.to_storage_for_write(MountGid{id})) return raw(*mapped);
    return Refusal{MountGid{id}, entry};
}

}  // namespace

bool is_acl_xattr(std::string_view name) noexcept {
    return name == kAclAccessXattr || name == kAclDefaultXattr;
}

int validate_acl(std::span<const std::byte> blob) noexcept {
    if (blob.size() < kHeaderSize || (blob.size() - kHeaderSize) % kEntrySize != 0) return EINVAL;
    return load_le32(blob, 0) == kAclVersion ? 0 : EINVAL;
}

int acl_to_mount(std::span<std::byte> blob, const IdMap& map, UnmappedReads* seen) noexcept {
    if (const int err = validate_acl(blob)) return err;
    // Reading never fails: an uncovered id reads as the unmapped_read id.
    for_each_id(blob, [&](std::uint16_t tag, std::size_t at, std::size_t) {
        const std::uint32_t id = load_le32(blob, at);
        const std::uint32_t mapped = tag == kAclUser ? raw(map.to_mount(StorageUid{id}, seen))
                                                     : raw(map.to_mount(StorageGid{id}, seen));
        store_le32(blob, at, mapped);
    });
    return 0;
}

XattrTranslation acl_to_storage(std::span<std::byte> blob, const IdMap& map) noexcept {
    if (const int err = validate_acl(blob)) return {err, std::nullopt};
    // Every id is checked before any is written, so a refused blob is left exactly as it was.
    std::optional<Refusal> refused;
    for_each_id(blob, [&](std::uint16_t tag, std::size_t at, std::size_t entry) {
        if (refused) return;
        auto mapped = storage_id(tag, load_le32(blob, at), entry, map);
        if (auto* no = std::get_if<Refusal>(&mapped)) refused = *no;
    });
    if (refused) return {EINVAL, refused};
    for_each_id(blob, [&](std::uint16_t tag, std::size_t at, std::size_t entry) {
        store_le32(blob, at,
                   std::get<std::uint32_t>(storage_id(tag, load_le32(blob, at), entry, map)));
    });
    return {};
}

}  // namespace idshift::idmap

#pragma once
// POSIX ACL xattrs (system.posix_acl_access / system.posix_acl_default): a little-endian u32
// version (2) followed by entries {u16 tag, u16 perm, u32 id}. Only ACL_USER (0x02) and ACL_GROUP
// (0x08) entries carry ids; the others carry kInvalidId and are left alone.
#include <cstddef>
#include <span>
#include <string_view>

#include "idshift/idmap/id_map.hpp"
#include "idshift/idmap/xattr_translation.hpp"

namespace idshift::idmap {

inline constexpr std::string_view kAclAccessXattr = "system.posix_acl_access";
inline constexpr std::string_view kAclDefaultXattr = "system.posix_acl_default";

bool is_acl_xattr(std::string_view name) noexcept;

// Checks the layout: size = 4 + 8*n with n >= 0, version 2. Returns 0 or EINVAL. Never reads
// past the end of `blob`.
int validate_acl(std::span<const std::byte> blob) noexcept;

// storage → mount, in place, through IdMap::to_mount: unmapped ids become the unmapped_read ids,
// each told to `seen` when given. Returns 0 or EINVAL (malformed blob; the blob is then
// unchanged).
int acl_to_mount(std::span<std::byte> blob, const IdMap& map,
                 UnmappedReads* seen = nullptr) noexcept;

// mount → storage, in place. An id the map cannot express gets the unmapped_write policy: squashed,
// or EINVAL with the first such entry in `refused` (as idmapped mounts refuse setfacl with an
// unmapped id). A malformed blob is EINVAL without `refused`. On error the blob is unchanged.
XattrTranslation acl_to_storage(std::span<std::byte> blob, const IdMap& map) noexcept;

}  // namespace idshift::idmap

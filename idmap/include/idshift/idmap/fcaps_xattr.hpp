#pragma once
// security.capability (struct vfs_cap_data / vfs_ns_cap_data). Revision 3 ends in a le32 rootid
// (the uid that is root in the namespace the capability applies to) which must be translated;
// revisions 1 and 2 carry no id and pass through untouched.
#include <cstddef>
#include <span>
#include <string_view>

#include "idshift/idmap/id_map.hpp"
#include "idshift/idmap/xattr_translation.hpp"

namespace idshift::idmap {

inline constexpr std::string_view kFcapsXattr = "security.capability";

bool is_fcaps_xattr(std::string_view name) noexcept;

// storage → mount, in place. A v3 rootid no rule covers gives EOVERFLOW (the capability belongs to
// a root this mount cannot name; the kernel hides such capabilities the same way). Malformed
// (unknown revision, wrong size for the revision) → EINVAL. Returns 0 on success; the blob is
// unchanged on error.
int fcaps_to_mount(std::span<std::byte> blob, const IdMap& map) noexcept;

// mount → storage, in place. A v3 rootid the map cannot express → EINVAL with the rootid in
// `refused` (unless squashed by policy). Malformed → EINVAL without `refused`.
XattrTranslation fcaps_to_storage(std::span<std::byte> blob, const IdMap& map) noexcept;

}  // namespace idshift::idmap

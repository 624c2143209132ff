#pragma once
// An IdMap as the kernel can carry it: the uid_map and gid_map text of a user namespace that
// makes an idmapped mount present storage ids as mount ids.
#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>

#include "idshift/idmap/id_map.hpp"

namespace idshift::kernel {

// The kernel's limit on lines per uid_map or gid_map (UID_GID_MAP_MAX_EXTENTS).
inline constexpr std::size_t kMaxExtents = 340;

// What the running kernel takes. The overflow ids are what an unmapped id reads as through an
// idmapped mount (/proc/sys/kernel/overflowuid and overflowgid). A uid_map or gid_map must be
// written in one write(2) shorter than a page, whatever its number of lines.
struct KernelLimits {
    std::uint32_t overflow_uid = idmap::kOverflowId;
    std::uint32_t overflow_gid = idmap::kOverflowId;
    std::size_t max_map_bytes = 4095;
};

// Reads the running kernel's overflow ids (the compiled-in default 65534 for a file that cannot
// be read is what such a kernel uses) and page size.
KernelLimits read_kernel_limits();

// The two files' text, one "inside outside count" line per extent: inside = the storage id (what
// the filesystem holds), outside = the mount id (what callers see and pass), so the kernel's own
// translation is exactly the map's. Adjacent extents (single-id rules from names, most often) are
// merged into ranges; lines are sorted by storage id.
struct UsernsMaps {
    std::string uid_map;
    std::string gid_map;
    std::size_t uid_extents = 0;
    std::size_t gid_extents = 0;
};

// Why a map cannot be carried by the kernel, as one sentence for logs and `idshift check`.
struct NotExpressible {
    std::string reason;
};

// Compiles `map`, or says why the kernel cannot mean the same: more than kMaxExtents extents of
// a kind after merging, or a map text too long for one write; no rule of a kind (a map file
// needs a line), unmapped-read other than
// the overflow ids (the kernel shows those, nothing else), or unmapped-write squash (the kernel
// refuses such writes with EOVERFLOW; it cannot store a substitute id).
std::variant<UsernsMaps, NotExpressible> compile_maps(const idmap::IdMap& map,
                                                      const KernelLimits& limits);

}  // namespace idshift::kernel

#pragma once
// Who a request comes from, on both sides of the map.
#include <sys/types.h>

#include <memory>
#include <optional>

#include <boost/container/small_vector.hpp>

#include "idshift/idmap/id_map.hpp"
#include "idshift/idmap/ids.hpp"

namespace idshift::fusell {

struct Caller {
    // As the kernel presents the caller (mount side). The overflow ids until set, so that a
    // field someone forgets owns nothing and is nobody's root.
    idmap::MountUid uid{idmap::kOverflowId};
    idmap::MountGid gid{idmap::kOverflowId};
    pid_t pid = 0;
    mode_t umask = 0;
    // With FUSE_ALLOW_IDMAP (-o allow_idmap=on) the kernel names the caller only on requests that
    // create an inode; every other request comes with uid and gid (uint32)-1. The kernel has
    // checked those against the (possibly idmapped) ids already (default_permissions), so they run
    // with the daemon's own credentials and may link; their ids above are meaningless.
    bool ids_withheld = false;

    // The caller's ids on the storage side, through the map's write policy. nullopt when the map
    // cannot express the id (unmapped-write deny): such a caller creates nothing (EOVERFLOW) and
    // otherwise acts as the overflow id, which owns nothing a map names.
    std::optional<idmap::StorageUid> storage_uid;
    std::optional<idmap::StorageGid> storage_gid;
    // Supplementary groups that the map covers; the others are dropped, as a group the storage
    // side cannot name grants nothing there.
    boost::container::small_vector<idmap::StorageGid, 16> storage_groups;

    // The map this request uses from start to finish, even if a reload swaps it meanwhile.
    std::shared_ptr<const idmap::IdMap> map;
};

}  // namespace idshift::fusell

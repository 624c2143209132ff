#pragma once
// With FUSE_ALLOW_IDMAP the kernel names the caller only on requests that create an inode; every
// other request comes without ids, after the kernel has checked it against the caller's real
// (idmapped) ids and the inode's mode (default_permissions). Run as the daemon, such a request
// reaches the storage as root, which a root-squashing server turns into nobody: an owner's write
// to its own 0644 file fails.
//
// This picks instead a storage identity to which the inodes' own modes grant exactly the access
// the request needs: the owner where the owner's bits grant it, else a member of the owning group
// where the group's bits do, else a stranger where the others' bits do. The kernel has vouched
// that the caller holds that access, so the storage is asked for nothing more than it already
// gives to everyone in that class; and the storage still checks it (it may refuse what the mode
// bits alone do not show, such as an ACL's narrower mask). None of the identities is root.
#include <sys/stat.h>

#include <optional>
#include <span>

#include "idshift/idmap/ids.hpp"

namespace idshift::fusell {

// What a request needs of one inode, as stat(2) shows it on the storage.
struct AccessNeed {
    const struct stat* inode = nullptr;
    int access = 0;  // R_OK | W_OK | X_OK
    // For unlink, rmdir and rename in a sticky directory (`inode`): the entry that goes, whose
    // owner (or the directory's) alone may remove it.
    const struct stat* victim = nullptr;
    // For chmod, utimes to a given time, and ACL changes: only the owner may.
    bool owner_only = false;
};

struct VouchedIdentity {
    idmap::StorageUid uid;
    idmap::StorageGid gid;
    friend bool operator==(const VouchedIdentity&, const VouchedIdentity&) = default;
};

// An identity that every need grants by the mode bits, or nullopt when none does (the request
// then runs as the daemon, and the storage decides).
std::optional<VouchedIdentity> vouched_identity(std::span<const AccessNeed> needs) noexcept;

}  // namespace idshift::fusell

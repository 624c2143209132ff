#pragma once
// An idmapped bind mount of SOURCE: open_tree(OPEN_TREE_CLONE), mount_setattr(MOUNT_ATTR_IDMAP),
// move_mount. Split in two so that the support probe is the real thing: the clone is detached
// (no one can see it) until attach().
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "idshift/kernel/failure.hpp"
#include "idshift/sys/mount_api.hpp"
#include "idshift/sys/unique_fd.hpp"

namespace idshift::kernel {

// The per-mount flags the mount honours (shared with the FUSE backend's staged mount).
using MountFlags = sys::MountFlags;

// The idmapped clone, not attached anywhere yet.
struct DetachedMount {
    sys::UniqueFd tree;
};

// Why prepare_mount() failed. `unsupported` is true when mount_setattr(MOUNT_ATTR_IDMAP) said
// EINVAL: the filesystem below SOURCE does not support idmapped mounts (the kernel's own verdict,
// from FS_ALLOW_IDMAP; no list of names is kept here).
struct PrepareFailure {
    Failure failure;
    bool unsupported = false;
};

// Clones SOURCE (the mount and the directory it names, not its submounts: those are other
// filesystems, each of which would need its own verdict) and idmaps the clone with `userns`.
std::variant<DetachedMount, PrepareFailure> prepare_mount(const std::string& source, int userns,
                                                          const MountFlags& flags);

// How attach() places the mount.
enum class Placement {
    on_top,   // a new mount on MOUNTPOINT
    replace,  // beneath the mount on MOUNTPOINT, which is then detached: lookups switch at once
};

// Attaches `mount` at `mountpoint`. With Placement::replace, the mount that was there is detached
// lazily (MNT_DETACH): whatever still uses it (open files, a cwd, bind mounts taken of it) keeps
// it, and its map, until released.
std::variant<std::monostate, Failure> attach(DetachedMount mount, const std::string& mountpoint,
                                             Placement placement);

}  // namespace idshift::kernel

namespace idshift::kernel {

// The mount's unique id (statx STATX_MNT_ID_UNIQUE, never reused while the system runs) of the
// mount that `path` is on, or nullopt when it cannot be told. A record of a kernel-backend mount
// keeps it, so a record left behind by a plain umount is recognised as stale.
std::optional<std::uint64_t> unique_mount_id(const std::string& path);

}  // namespace idshift::kernel

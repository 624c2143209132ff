#include "idshift/kernel/idmapped_mount.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include <cerrno>

#include "idshift/sys/mount_api.hpp"

// Newer than the uapi headers of the build machine; the value is the kernel's ABI (6.8).
#ifndef STATX_MNT_ID_UNIQUE
#define STATX_MNT_ID_UNIQUE 0x00004000U
#endif

namespace idshift::kernel {

std::variant<DetachedMount, PrepareFailure> prepare_mount(const std::string& source, int userns,
                                                          const MountFlags& flags) {
    // No AT_RECURSIVE: submounts below SOURCE are other filesystems; a FUSE mount of SOURCE
    // would not cross into them either.
    sys::UniqueFd tree(
        sys::open_tree(AT_FDCWD, source.c_str(), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC));
    if (!tree) return PrepareFailure{{errno, "open_tree(" + source + ", OPEN_TREE_CLONE)"}, false};

    // The idmap alone first: its EINVAL is the filesystem's verdict on idmapped mounts, not
    // confused with a flag the other call might refuse.
    mount_attr idmap{};
    idmap.attr_set = MOUNT_ATTR_IDMAP;
    idmap.userns_fd = static_cast<std::uint64_t>(userns);
    if (sys::mount_setattr(tree.get(), "", AT_EMPTY_PATH, &idmap) != 0) {
        const int e = errno;
        return PrepareFailure{{e, "mount_setattr(MOUNT_ATTR_IDMAP)"}, e == EINVAL};
    }
    mount_attr rest = sys::mount_attributes(flags);
    if (rest.attr_set != 0 && sys::mount_setattr(tree.get(), "", AT_EMPTY_PATH, &rest) != 0)
        return PrepareFailure{{errno, "mount_setattr(mount flags)"}, false};
    return DetachedMount{std::move(tree)};
}

std::variant<std::monostate, Failure> attach(DetachedMount mount, const std::string& mountpoint,
                                             Placement placement) {
    if (placement == Placement::on_top) {
        if (sys::move_mount(mount.tree.get(), "", AT_FDCWD, mountpoint.c_str(),
                            MOVE_MOUNT_F_EMPTY_PATH) != 0)
            return Failure{errno, "move_mount(" + mountpoint + ")"};
        return std::monostate{};
    }
    // Beneath the current mount, then the current one detached: there is no moment at which a
    // lookup of MOUNTPOINT finds neither mount.
    if (sys::move_mount(mount.tree.get(), "", AT_FDCWD, mountpoint.c_str(),
                        MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_BENEATH) != 0)
        return Failure{errno, "move_mount(" + mountpoint + ", MOVE_MOUNT_BENEATH)"};
    if (::umount2(mountpoint.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW) != 0)
        return Failure{errno, "umount2(" + mountpoint + ", MNT_DETACH) of the old mount"};
    return std::monostate{};
}

std::optional<std::uint64_t> unique_mount_id(const std::string& path) {
    struct statx st {};
    if (::statx(AT_FDCWD, path.c_str(), AT_SYMLINK_NOFOLLOW, STATX_MNT_ID_UNIQUE, &st) != 0)
        return std::nullopt;
    if ((st.stx_mask & STATX_MNT_ID_UNIQUE) == 0) return std::nullopt;
    return st.stx_mnt_id;
}

}  // namespace idshift::kernel

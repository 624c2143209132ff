#pragma once
// Mounting staged (staged_root.hpp): the FUSE superblock is made detached with the new mount API,
// and a clone of its entry kStagedVolumeName is moved onto the mount point once the session
// serves requests. The mount point then shows the volume root, never the FUSE root.
#include <cstdint>
#include <string>
#include <variant>

#include "idshift/sys/mount_api.hpp"
#include "idshift/sys/unique_fd.hpp"

namespace idshift::fusell {

struct StagedMountRequest {
    std::string source;   // first field of /proc/mounts
    std::string subtype;  // /proc/mounts shows fuse.<subtype>
    bool allow_other = true;
    bool sync = false;     // every write synchronous (-o sync)
    bool dirsync = false;  // directory changes synchronous (-o dirsync)
    // Of the mount moved onto the mount point; read_only also makes the superblock read-only.
    sys::MountFlags flags;
};

// The superblock, made but attached nowhere.
struct DetachedFuse {
    sys::UniqueFd device;  // /dev/fuse: the session's fd, given to libfuse as /dev/fd/N
    sys::UniqueFd mount;   // fsmount(2)'s mount of it, whose root is the staging directory
};

// What failed, for the log: the errno and the step ("fsopen(fuse)", "fsconfig(fd)", ...).
struct MountStepError {
    int error;
    std::string step;
    std::string describe() const;
};

// Opens /dev/fuse and makes a FUSE superblock on it with default_permissions (and allow_other,
// ro, sync, dirsync as asked), owned by this process's uid and gid. The kernel sends FUSE_INIT
// now; nothing waits for its answer.
std::variant<DetachedFuse, MountStepError> make_detached_fuse(const StagedMountRequest& request);

// The volume, attached: its mount id (STATX_MNT_ID, constant across moves) identifies it in
// /proc/self/mountinfo later.
struct AttachedVolume {
    std::uint64_t mount_id = 0;
};

// Clones kStagedVolumeName out of `detached`, sets the request's mount attributes on the clone and
// moves it onto the directory `target` (an O_PATH fd). The session must already be serving: the
// clone looks the name up, and asks for the volume root's attributes.
std::variant<AttachedVolume, MountStepError> attach_volume(int detached, int target,
                                                           const StagedMountRequest& request);

// Detaches (MNT_DETACH) the mount whose id is `mount_id` from wherever /proc/self/mountinfo shows
// it now. Returns 0, ENOENT when it is no longer mounted, or the errno of umount2.
int detach_volume(std::uint64_t mount_id);

}  // namespace idshift::fusell

#pragma once
// Reading /proc/self/mountinfo: the storage probe names a filesystem's type by its device, and a
// staged mount finds where its volume is mounted now by its mount id.
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace idshift::fusell {

struct MountInfoLine {
    std::uint64_t id = 0;     // the mount id (statx STATX_MNT_ID)
    dev_t dev = 0;            // the superblock's device
    std::string mount_point;  // unescaped
    std::string fstype;       // "ext4", "fuse.glusterfs", ...
};

// The first line of the calling process's mount table that `wanted` accepts, or nullopt.
std::optional<MountInfoLine> find_mount(const std::function<bool(const MountInfoLine&)>& wanted);

}  // namespace idshift::fusell

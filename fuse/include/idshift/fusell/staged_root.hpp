#pragma once
// The node ids of a staged mount.
//
// The kernel makes the inode of the FUSE root (node 1) before FUSE_INIT has said that POSIX ACLs
// are on, and marks it "never cache its ACL" for life. Every path walk by a caller who does not own
// that directory then costs a GETXATTR of system.posix_acl_access: one round trip on every warm
// stat. So the volume is never the FUSE root. Node 1 is a staging directory with one entry,
// kStagedVolumeName, which is the volume root as node kVolumeNodeId; the daemon moves a clone of
// that entry onto the mount point (mount/staged_mount.hpp), and nothing can reach node 1 after.
#include <fuse_lowlevel.h>

namespace idshift::fusell {

inline constexpr fuse_ino_t kStagingNodeId = FUSE_ROOT_ID;
// Below the first id NodeTable::acquire hands out, which has a serial of 1 in its high bits.
inline constexpr fuse_ino_t kVolumeNodeId = 2;
inline constexpr const char* kStagedVolumeName = "volume";

}  // namespace idshift::fusell

#pragma once
// One fd per backing mount seen under the source directory: open_by_handle_at needs an fd on the
// mount a handle belongs to (handles carry the mount id). It must be a real open file: the kernel
// refuses O_PATH fds there (EBADF). Written once per mount, read by every reopen, hence a shared
// mutex.
//
// Not every mount that hands out handles takes them back reliably: a FUSE filesystem (sshfs, or
// another idshift) without export support encodes handles but decodes one only while the kernel
// still caches the inode, so a node could turn ESTALE while the kernel above still uses it. Such
// mounts are recorded as giving no handles, and their nodes keep their own fds.
#include <sys/types.h>

#include <map>
#include <shared_mutex>

#include "idshift/fusell/result.hpp"
#include "idshift/sys/files.hpp"

namespace idshift::fusell {

class MountFds {
  public:
    // An fd on mount `mount_id`, or -1 when none was recorded.
    int find(int mount_id) const;
    // Makes sure an fd on mount `mount_id` is known, opening one from `inode_fd` (an O_PATH fd of
    // an inode of `type` on that mount) if needed: a directory or regular file is opened read-only
    // (never blocking, never following). Returns false when the mount's handles are not to be
    // used (see above), or no fd can be had (the inode is of another type, or the open failed):
    // nodes of that mount then keep their own fds.
    bool learn(int mount_id, int inode_fd, mode_t type);

  private:
    // Whether the filesystem of `inode_fd` decodes its handles whatever the kernel caches.
    static bool handles_reliable(int inode_fd) noexcept;

    mutable std::shared_mutex mutex_;   // leaf
    std::map<int, sys::UniqueFd> fds_;  // an empty fd: a mount whose handles are not used
};

}  // namespace idshift::fusell

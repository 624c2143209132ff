// Node 1 of a staged mount: what the kernel needs of it while the daemon clones its one entry onto
// the mount point. Every other operation on it finds no node (ESTALE), as after a forget.
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "fs_state.hpp"

namespace idshift::fusell {
namespace {

// Nothing changes it, so the kernel may keep what it was told for as long as the mount lives.
constexpr double kStagingTimeout = 86400.0;

}  // namespace

Result<fuse_entry_param> Filesystem::State::staging_lookup(std::string_view name,
                                                           const idmap::IdMap& map) {
    if (name != kStagedVolumeName) return Errno{ENOENT};
    // The volume root itself, under its own id: entry_from finds the root node for this inode.
    auto root = sys::open_path_at(nodes.root()->pinned_fd(), ".");
    if (!root) return Errno{root.error()};
    auto entry = entry_from(std::move(*root), map);
    if (entry) entry->entry_timeout = kStagingTimeout;
    return entry;
}

AttrReply Filesystem::State::staging_attr() noexcept {
    struct stat st {};
    st.st_ino = kStagingNodeId;
    // The daemon's own (it walks it as root), closed to everyone else.
    st.st_mode = S_IFDIR | 0700;
    st.st_nlink = 2;
    st.st_uid = 0;
    st.st_gid = 0;
    st.st_blksize = 4096;
    return AttrReply{st, kStagingTimeout};
}

}  // namespace idshift::fusell

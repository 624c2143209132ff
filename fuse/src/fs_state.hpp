#pragma once
// What a Filesystem holds, and the helpers every operation family shares: nodeid → node → fd,
// fh → open file, building entries for new kernel references, and ids storage → mount.
#include <fuse_lowlevel.h>

#include <functional>
#include <memory>

#include "creds.hpp"
#include "fd_cache.hpp"
#include "groups_cache.hpp"
#include "handles.hpp"
#include "idshift/fusell/filesystem.hpp"
#include "idshift/fusell/staged_root.hpp"
#include "idshift/fusell/stats.hpp"
#include "idshift/idmap/xattr_translation.hpp"
#include "mount_fds.hpp"
#include "names.hpp"
#include "node_table.hpp"
#include "rate_limit.hpp"
#include "refusal_log.hpp"
#include "storage/storage_table.hpp"

namespace idshift::fusell {

// A node and an O_PATH fd on its inode, held for the length of one operation.
struct NodeFd {
    std::shared_ptr<Node> node;
    SharedFd fd;
    int get() const noexcept { return fd->get(); }
};

struct Filesystem::State {
    State(const std::string& source, FsOptions options, idmap::MapHolder& maps);

    // ESTALE when the kernel names a node it has forgotten (or never had).
    Result<std::shared_ptr<Node>> node(fuse_ino_t id) const;
    // An O_PATH fd on the node's inode: its pinned fd, the cached one, or one reopened from its
    // handle (which needs CAP_DAC_READ_SEARCH: call before switching to the caller's creds).
    Result<SharedFd> path_fd(const std::shared_ptr<Node>& node);
    Result<NodeFd> resolve(fuse_ino_t id);

    // A new kernel reference to `name` in the directory `parent_fd`, never following a symlink.
    Result<fuse_entry_param> entry_for(int parent_fd, const Name& name, const idmap::IdMap& map);
    // The same for the inode behind the O_PATH fd `inode_fd`, which the node may keep; with
    // `keep_fd` it does keep it, instead of a file handle: an unnamed (O_TMPFILE) inode cannot
    // always be reopened from its handle.
    Result<fuse_entry_param> entry_from(sys::UniqueFd inode_fd, const idmap::IdMap& map,
                                        bool keep_fd = false);

    // EBADF when the kernel names an open the daemon does not have.
    Result<std::shared_ptr<FileHandle>> file(std::uint64_t fh) const;
    Result<std::shared_ptr<DirHandle>> dir(std::uint64_t fh) const;

    // ownership.cpp: every crossing of the map, with Filesystem::make_caller.
    // Storage-side credentials of a caller (see Caller for unmapped ids).
    StorageCreds creds(const Caller& caller) const noexcept;
    // creds(caller) for a request that needs `access` (R_OK, W_OK, X_OK) of `node` (open on
    // `fd`), or its ownership. A request without the caller's ids (FUSE_ALLOW_IDMAP) on storage
    // that refuses the daemon's root instead runs as an identity the node's mode grants that access
    // (vouched_identity.hpp), where there is one. vouched_creds.cpp.
    StorageCreds creds_for(const Caller& caller, const Node& node, int fd, int access,
                           bool owner_only = false) const;
    // The same for removing `name` from `dir` (unlink, rmdir), and for renaming `from_name` in
    // `from` to `to_name` in `to`: write and search on each directory, and in a sticky one the
    // entry's owner or the directory's.
    StorageCreds creds_for_removal(const Caller& caller, const NodeFd& dir, const char* name) const;
    StorageCreds creds_for_rename(const Caller& caller, const NodeFd& from, const char* from_name,
                                  const NodeFd& to, const char* to_name) const;
    // EOVERFLOW when the caller's uid or gid cannot own a new inode on the storage side (the
    // refusal is counted and logged: `op` creating `name` in `parent`).
    int check_can_create(const Caller& caller, const char* op, fuse_ino_t parent,
                         std::string_view name) noexcept;
    // Ownership storage → mount, for everything reported to the kernel. Counts the storage ids
    // no rule covers, as xattr_to_mount does.
    struct stat to_mount(struct stat attr, const idmap::IdMap& map) noexcept;
    // The ids in an ACL or file capability `value` of xattr `name`, storage → mount, in place: 0,
    // or the translator's errno. Other xattrs pass untouched.
    int xattr_to_mount(std::string_view name, std::vector<char>& value,
                       const idmap::IdMap& map) noexcept;
    // The same mount → storage, for a write; a refused id is named in the result.
    idmap::XattrTranslation xattr_to_storage(std::string_view name, std::vector<char>& value,
                                             const idmap::IdMap& map) noexcept;
    // A chown/chgrp target, mount → storage: kInvalidId (no change) when none is `wanted`,
    // EOVERFLOW (a counted, logged refusal of `ino`'s setattr) when the map cannot express it.
    Result<std::uint32_t> new_owner(const Caller& caller, fuse_ino_t ino,
                                    std::optional<idmap::MountUid> wanted) noexcept;
    Result<std::uint32_t> new_owner(const Caller& caller, fuse_ino_t ino,
                                    std::optional<idmap::MountGid> wanted) noexcept;

    // The first steps of every operation that makes a new name: the name is one component, the
    // caller can own a new inode (check_can_create), and the parent directory's fd.
    struct NewName {
        Name name;
        NodeFd dir;
    };
    Result<NewName> prepare_new_name(const Caller& caller, const char* op, fuse_ino_t parent,
                                     std::string_view name);
    // The same for an inode without a name (open(2) with O_TMPFILE in `parent`).
    Result<NodeFd> prepare_unnamed(const Caller& caller, fuse_ino_t parent);
    // Makes the new name with `make(dir_fd, name)` (0 or an errno) as the caller, with its umask
    // when `with_umask`, and answers with the entry of what it made.
    Result<fuse_entry_param> make_as_caller(const Caller& caller, const char* op, fuse_ino_t parent,
                                            std::string_view name, bool with_umask,
                                            const std::function<int(int, const char*)>& make);

    // unlinkat(parent, name, flags) as the caller: unlink (0) and rmdir (AT_REMOVEDIR).
    int remove_as_caller(const Caller& caller, fuse_ino_t parent, std::string_view name, int flags);

    // staging_node.cpp: node 1 of a staged mount (staged_root.hpp), which only the daemon's own
    // attach ever walks: a directory of the daemon's with the one entry kStagedVolumeName.
    bool is_staging(fuse_ino_t ino) const noexcept {
        return options.staged_root && ino == kStagingNodeId;
    }
    Result<fuse_entry_param> staging_lookup(std::string_view name, const idmap::IdMap& map);
    static AttrReply staging_attr() noexcept;

    // refusals.cpp: a write the map refuses (unmapped-write deny) is counted and logged, rate
    // limited, with the caller and where it happened: `node` itself, or `name` in it.
    struct RefusedId {
        idmap::Kind kind;
        std::uint32_t id;
        const char* what;  // "caller", "new owner", "ACL entry", "file capability root"
    };
    int refuse(const Caller& caller, const char* op, fuse_ino_t node, std::string_view name,
               const RefusedId& refused, int error) noexcept;
    // setxattr of an ACL or file capability `name` that failed to translate: a refusal when the
    // translator names a refused id, else (a malformed value) just its errno.
    int refuse_xattr(const Caller& caller, fuse_ino_t node, std::string_view name,
                     const idmap::XattrTranslation& failed) noexcept;
    // Logs how many refusal lines the rate limit held back, once their window is over.
    void flush_refusal_log() noexcept;

    // storage/owner_after_create.cpp: on storage that ignores the creator's fsuid/fsgid, gives the
    // new inode behind the O_PATH fd `inode_fd`, made in the directory `dir_fd` on storage `dev`,
    // the owner the caller's create would have given it natively. Runs as the daemon, after the
    // create itself was allowed for the caller; a refused chown keeps the file, counted and
    // logged once per errno.
    void set_owner_after_create(const Caller& caller, dev_t dev, int dir_fd, int inode_fd) noexcept;

    // Logs (at most once a minute) that the process ran out of fds, and passes `error` through.
    int note_fd_error(int error) noexcept;

    FsOptions options;
    idmap::MapHolder& maps;
    std::unique_ptr<FileOpener> opener;
    MountFds mount_fds;
    NodeTable nodes;
    FdCache fds;
    HandleTable<FileHandle> files;
    HandleTable<DirHandle> dirs;
    GroupsCache groups;
    RateLimiter fd_exhaustion_log{std::chrono::minutes(1)};
    Stats stats;
    RefusalLog refusal_log;
    // Every storage below SOURCE: probed fully when the filesystem is made (as the daemon, before
    // any request), and by what can be read for each new st_dev an entry meets.
    storage::StorageTable storage;
    // FUSE_POSIX_ACL negotiated: the kernel then asks ACL names in its permission checks.
    std::atomic<bool> acls_negotiated{false};
    std::array<std::atomic<bool>, 134> owner_refusal_logged{};  // by errno, one line each
};

// Reads `size` bytes at most into this thread's read buffer (see file_ops.cpp).
std::span<char> thread_read_buffer(std::size_t size);

}  // namespace idshift::fusell

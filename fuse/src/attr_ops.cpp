// getattr, setattr.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <optional>

#include "fs_state.hpp"
#include "idshift/kext/fsetid_guard.hpp"
#include "idshift/sys/errno.hpp"

namespace idshift::fusell {
namespace {

constexpr mode_t kSetId = S_ISUID | S_ISGID;

// What a SETATTR can ask to change; FUSE_SET_ATTR_CTIME, FORCE and the kill bits change nothing by
// themselves.
constexpr int kChanges = FUSE_SET_ATTR_MODE | FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID |
                         FUSE_SET_ATTR_SIZE | FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME |
                         FUSE_SET_ATTR_ATIME_NOW | FUSE_SET_ATTR_MTIME_NOW;

// Without FUSE_HANDLE_KILLPRIV_V2 (-o killpriv_v2=off, or a kernel without it) the kernel clears
// set-id bits itself after a write or chown by sending a mode change. That change comes with the
// writer's credentials, who need not own the file, and the kernel has skipped its own permission
// check for it (ATTR_FORCE). A mode change that only clears set-id bits drops privilege and is
// therefore done with the daemon's credentials; every other mode change was checked by the kernel
// (default_permissions) and runs as the caller.
bool only_clears_set_id(mode_t current, mode_t wanted) noexcept {
    current &= 07777;
    wanted &= 07777;
    return wanted != current && (wanted & ~kSetId) == (current & ~kSetId) &&
           (wanted & kSetId & ~current) == 0;
}

// The set-id bits a chown that changes no id clears for `caller`, by the kernel's rule: suid
// always; sgid when group execute is set, or when the caller is neither in the file's group nor
// root on the mount side (which stands for holding CAP_FSETID, as elsewhere).
mode_t chown_clears(const struct stat& st, const Caller& caller) noexcept {
    mode_t clears = st.st_mode & S_ISUID;
    if ((st.st_mode & S_ISGID) == 0) return clears;
    const idmap::StorageGid group{st.st_gid};
    const bool member = caller.storage_gid == group ||
                        std::find(caller.storage_groups.begin(), caller.storage_groups.end(),
                                  group) != caller.storage_groups.end();
    const bool privileged = caller.ids_withheld || idmap::raw(caller.uid) == 0;
    if ((st.st_mode & S_IXGRP) != 0 || !(member || privileged)) clears |= S_ISGID;
    return clears;
}

int change_mode(int open_fd, int path_fd, mode_t mode) noexcept {
    const int rc = open_fd >= 0 ? ::fchmod(open_fd, mode)
                                : ::fchmodat(AT_FDCWD, sys::ProcFdPath(path_fd).c_str(), mode, 0);
    return sys::errno_of(rc);
}

timespec time_to_set(int to_set, int set_bit, int now_bit, const timespec& value) noexcept {
    if (to_set & now_bit) return timespec{0, UTIME_NOW};
    if (to_set & set_bit) return value;
    return timespec{0, UTIME_OMIT};
}

// Whose credentials a SETATTR's changes run with. Without the caller's ids (FUSE_ALLOW_IDMAP)
// the kernel has checked them: a mode or a given time is the owner's to set, a size or "now" a
// writer's. A new owner needs the storage's root, whatever the ids.
StorageCreds setattr_creds(const Filesystem::State& s, const Caller& caller, const NodeFd& node,
                           int to_set) {
    if (to_set & (FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID)) return s.creds(caller);
    const bool owner_only =
        to_set & (FUSE_SET_ATTR_MODE | FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME);
    const bool writes =
        to_set & (FUSE_SET_ATTR_SIZE | FUSE_SET_ATTR_ATIME_NOW | FUSE_SET_ATTR_MTIME_NOW);
    return s.creds_for(caller, *node.node, node.get(), writes ? W_OK : 0, owner_only);
}

}  // namespace

Result<AttrReply> Filesystem::getattr(fuse_ino_t ino, std::optional<std::uint64_t> fh) {
    State& s = *state_;
    if (s.is_staging(ino)) return State::staging_attr();
    const auto map = s.maps.snapshot();
    // An open file answers for itself: it still works once the file is unlinked.
    if (fh) {
        if (auto file = s.files.find(*fh)) {
            auto st = sys::stat_fd(file->fd.get());
            if (!st) return Errno{st.error()};
            return AttrReply{s.to_mount(*st, *map), s.options.attr_timeout()};
        }
    }
    auto node = s.resolve(ino);
    if (!node) return Errno{node.error()};
    auto st = sys::stat_fd(node->get());
    if (!st) return Errno{st.error()};
    return AttrReply{s.to_mount(*st, *map), s.options.attr_timeout()};
}

Result<AttrReply> Filesystem::setattr(const Caller& caller, fuse_ino_t ino, const struct stat& attr,
                                      int to_set, std::optional<std::uint64_t> fh) {
    State& s = *state_;
    auto node = s.resolve(ino);
    if (!node) return Errno{node.error()};
    // Taken before the mode change below may drop FUSE_SET_ATTR_MODE from to_set: a request that
    // asked for a mode change is not one that changes nothing.
    const bool changes_nothing = (to_set & kChanges) == 0;
    std::shared_ptr<FileHandle> file = fh ? s.files.find(*fh) : nullptr;
    const int open_fd = file ? file->fd.get() : -1;
    const int path_fd = node->get();

    // Ids in: mount → storage, before anything changes. -1 leaves the id as it is.
    auto new_uid = s.new_owner(
        caller, ino,
        to_set & FUSE_SET_ATTR_UID ? std::optional(idmap::MountUid{attr.st_uid}) : std::nullopt);
    if (!new_uid) return Errno{new_uid.error()};
    auto new_gid = s.new_owner(
        caller, ino,
        to_set & FUSE_SET_ATTR_GID ? std::optional(idmap::MountGid{attr.st_gid}) : std::nullopt);
    if (!new_gid) return Errno{new_gid.error()};

    if (to_set & FUSE_SET_ATTR_MODE) {
        if (node->node->is_symlink()) return Errno{EOPNOTSUPP};
        auto current = sys::stat_fd(path_fd);
        if (!current) return Errno{current.error()};
        if (only_clears_set_id(current->st_mode, attr.st_mode)) {
            if (int e = change_mode(open_fd, path_fd, attr.st_mode & 07777)) return Errno{e};
            to_set &= ~FUSE_SET_ATTR_MODE;
        }
    }

    // A SETATTR that changes nothing is what the kernel leaves of a chown to -1:-1, and of its
    // clearing of set-id bits before a write, once FUSE_HANDLE_KILLPRIV_V2 has taken the kill bits
    // (and with them the mode change) out. Both clear bits natively, without asking whether the
    // caller may change the mode; so does this, with the daemon's credentials. Natively chown
    // clears them on every kind of file but a directory (a fifo or device node too).
    if (changes_nothing && !S_ISDIR(node->node->type())) {
        auto current = sys::stat_fd(path_fd);
        if (!current) return Errno{current.error()};
        const mode_t kept = current->st_mode & 07777 & ~chown_clears(*current, caller);
        if (kept != (current->st_mode & 07777)) {
            if (int e = change_mode(open_fd, path_fd, kept)) return Errno{e};
        }
    }

    {
        CredsGuard guard(setattr_creds(s, caller, *node, to_set));
        if (guard.error() != 0) return Errno{guard.error()};
        if (to_set & FUSE_SET_ATTR_MODE) {
            if (int e = change_mode(open_fd, path_fd, attr.st_mode & 07777)) return Errno{e};
        }
        if (to_set & (FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID)) {
            if (::fchownat(path_fd, "", *new_uid, *new_gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW)) {
                return sys::last_error();
            }
        }
        if (to_set & FUSE_SET_ATTR_SIZE) {
            // FATTR_KILL_SUIDGID (KILLPRIV_V2; libfuse names it FUSE_SET_ATTR_KILL_SUID): the
            // caller lacks CAP_FSETID, so the backing truncate clears suid/sgid as for it.
            std::optional<kext::FsetidGuard> no_fsetid;
            if (to_set & FUSE_SET_ATTR_KILL_SUID) no_fsetid.emplace();
            const int rc = open_fd >= 0
                               ? ::ftruncate(open_fd, attr.st_size)
                               : ::truncate(sys::ProcFdPath(path_fd).c_str(), attr.st_size);
            if (rc != 0) return sys::last_error();
        }
        if (to_set & (FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME | FUSE_SET_ATTR_ATIME_NOW |
                      FUSE_SET_ATTR_MTIME_NOW)) {
            const timespec times[2] = {
                time_to_set(to_set, FUSE_SET_ATTR_ATIME, FUSE_SET_ATTR_ATIME_NOW, attr.st_atim),
                time_to_set(to_set, FUSE_SET_ATTR_MTIME, FUSE_SET_ATTR_MTIME_NOW, attr.st_mtim),
            };
            const int rc = open_fd >= 0
                               ? ::futimens(open_fd, times)
                               : ::utimensat(AT_FDCWD, sys::ProcFdPath(path_fd).c_str(), times, 0);
            if (rc != 0) return sys::last_error();
        }
        // FUSE_SET_ATTR_CTIME: the change time cannot be set; every change above updated it.
    }
    auto st = sys::stat_fd(open_fd >= 0 ? open_fd : path_fd);
    if (!st) return Errno{st.error()};
    return AttrReply{s.to_mount(*st, *caller.map), s.options.attr_timeout()};
}

}  // namespace idshift::fusell

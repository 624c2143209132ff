// readlink, mknod, symlink, link, unlink, rename.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cstdio>  // RENAME_* (glibc, _GNU_SOURCE)

#include <climits>

#include "fs_state.hpp"
#include "idshift/sys/errno.hpp"

namespace idshift::fusell {

Result<std::string> Filesystem::readlink(fuse_ino_t ino) {
    auto node = state_->resolve(ino);
    if (!node) return Errno{node.error()};
    if (!node->node->is_symlink()) return Errno{EINVAL};
    std::string target(PATH_MAX, '\0');
    const ssize_t n = ::readlinkat(node->get(), "", target.data(), target.size());
    if (n < 0) return sys::last_error();
    target.resize(static_cast<std::size_t>(n));
    return target;  // text only: the daemon never follows it
}

Result<fuse_entry_param> Filesystem::mknod(const Caller& caller, fuse_ino_t parent,
                                           std::string_view name, mode_t mode, dev_t rdev) {
    if ((S_ISCHR(mode) || S_ISBLK(mode)) && !state_->options.dev) return Errno{EPERM};
    return state_->make_as_caller(caller, "mknod", parent, name, true,
                                  [mode, rdev](int dir_fd, const char* valid) {
                                      return sys::errno_of(::mknodat(dir_fd, valid, mode, rdev));
                                  });
}

Result<fuse_entry_param> Filesystem::symlink(const Caller& caller, std::string_view target,
                                             fuse_ino_t parent, std::string_view name) {
    if (target.empty()) return Errno{ENOENT};
    if (target.size() >= PATH_MAX) return Errno{ENAMETOOLONG};
    const std::string text(target);
    // No umask: a symlink's mode is always 0777.
    return state_->make_as_caller(
        caller, "symlink", parent, name, false, [&text](int dir_fd, const char* valid) {
            return sys::errno_of(::symlinkat(text.c_str(), dir_fd, valid));
        });
}

Result<fuse_entry_param> Filesystem::link(const Caller& caller, fuse_ino_t ino,
                                          fuse_ino_t new_parent, std::string_view new_name) {
    State& s = *state_;
    auto valid = Name::parse(new_name);
    if (!valid) return Errno{valid.error()};
    auto node = s.resolve(ino);
    if (!node) return Errno{node.error()};
    auto dir = s.resolve(new_parent);
    if (!dir) return Errno{dir.error()};
    CredsGuard guard(s.creds_for(caller, *dir->node, dir->get(), W_OK | X_OK));
    if (guard.error() != 0) return Errno{guard.error()};
    // Through the magic link rather than AT_EMPTY_PATH, which needs CAP_DAC_READ_SEARCH that a
    // non-root caller's thread does not have. The link lands on the node's inode itself (a
    // symlink node gets a hard link to the symlink), never on a path.
    if (::linkat(AT_FDCWD, sys::ProcFdPath(node->get()).c_str(), dir->get(), valid->c_str(),
                 AT_SYMLINK_FOLLOW) != 0) {
        return sys::last_error();
    }
    return s.entry_for(dir->get(), *valid, *caller.map);
}

int Filesystem::unlink(const Caller& caller, fuse_ino_t parent, std::string_view name) {
    return state_->remove_as_caller(caller, parent, name, 0);
}

int Filesystem::rename(const Caller& caller, fuse_ino_t parent, std::string_view name,
                       fuse_ino_t new_parent, std::string_view new_name, unsigned flags) {
    State& s = *state_;
    if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT)) return EINVAL;
    auto from = Name::parse(name);
    if (!from) return from.error();
    auto to = Name::parse(new_name);
    if (!to) return to.error();
    auto from_dir = s.resolve(parent);
    if (!from_dir) return from_dir.error();
    auto to_dir = s.resolve(new_parent);
    if (!to_dir) return to_dir.error();
    CredsGuard guard(s.creds_for_rename(caller, *from_dir, from->c_str(), *to_dir, to->c_str()));
    if (guard.error() != 0) return guard.error();
    return ::renameat2(from_dir->get(), from->c_str(), to_dir->get(), to->c_str(), flags) == 0
               ? 0
               : errno;
}

}  // namespace idshift::fusell

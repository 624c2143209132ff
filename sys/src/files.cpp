#include "idshift/sys/files.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>

namespace idshift::sys {

ProcFdPath::ProcFdPath(int fd) noexcept {
    std::snprintf(buffer_.data(), buffer_.size(), "/proc/self/fd/%d", fd);
}

Result<UniqueFd> open_at(int dir_fd, const char* name, int flags, mode_t mode) noexcept {
    const int fd = ::openat(dir_fd, name, flags | O_CLOEXEC, mode);
    if (fd < 0) return last_error();
    return UniqueFd(fd);
}

Result<UniqueFd> open_path_at(int dir_fd, const char* name) noexcept {
    return open_at(dir_fd, name, O_PATH | O_NOFOLLOW);
}

Result<UniqueFd> reopen(int path_fd, int flags) noexcept {
    // O_NOFOLLOW would refuse the magic link itself; callers refuse symlink nodes instead.
    flags &= ~(O_NOFOLLOW | O_CREAT | O_EXCL | O_NOCTTY);
    return open_at(AT_FDCWD, ProcFdPath(path_fd).c_str(), flags);
}

Result<struct stat> stat_fd(int fd) noexcept {
    struct stat st {};
    if (::fstatat(fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) != 0) return last_error();
    return st;
}

}  // namespace idshift::sys

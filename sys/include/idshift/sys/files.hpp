#pragma once
// The file syscalls the layers above use, as small wrappers that return a Result instead of
// -1/errno. UniqueFd, the owner of every fd, is in idshift/sys/unique_fd.hpp.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <array>

#include "idshift/sys/errno.hpp"
#include "idshift/sys/result.hpp"
#include "idshift/sys/unique_fd.hpp"

namespace idshift::sys {

// "/proc/self/fd/N": reaches the inode an fd refers to through the magic link, whatever path the
// inode has now. Opening it follows the link to that very inode, never re-resolving a path.
class ProcFdPath {
  public:
    explicit ProcFdPath(int fd) noexcept;
    const char* c_str() const noexcept { return buffer_.data(); }

  private:
    std::array<char, 32> buffer_{};
};

// openat(2) with O_CLOEXEC added.
Result<UniqueFd> open_at(int dir_fd, const char* name, int flags, mode_t mode = 0) noexcept;
// An O_PATH fd of `name` in `dir_fd`, never following a symlink.
Result<UniqueFd> open_path_at(int dir_fd, const char* name) noexcept;
// Opens the inode behind `path_fd` (an O_PATH fd) for I/O with `flags`. The caller checks that
// the inode is not a symlink: this would follow it.
Result<UniqueFd> reopen(int path_fd, int flags) noexcept;
// lstat of the inode behind `fd` (AT_EMPTY_PATH; works on O_PATH fds and symlinks).
Result<struct stat> stat_fd(int fd) noexcept;

}  // namespace idshift::sys

#pragma once
// Syscalls reduced to "0 or errno", for exact errno assertions on either side of a mount.
#include <sys/types.h>

#include <string>

namespace idshift::itest {

// 0 when a syscall returned >= 0, else errno: `errno_of(::mkdir(p, 0755))`.
int errno_of(long rc) noexcept;

// open(2) and, when it succeeds, an immediate close: 0 or the open's errno. No descriptor leaks
// out of a failed assertion to keep the mount busy.
int open_errno(const std::string& path, int flags, mode_t mode = 0644) noexcept;

// A new empty regular file (O_CREAT | O_EXCL): 0 or errno.
int create_errno(const std::string& path, mode_t mode = 0644) noexcept;

}  // namespace idshift::itest

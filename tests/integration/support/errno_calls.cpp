#include "support/errno_calls.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace idshift::itest {

int errno_of(long rc) noexcept {
    return rc < 0 ? errno : 0;
}

int open_errno(const std::string& path, int flags, mode_t mode) noexcept {
    const int fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
    if (fd < 0) return errno;
    ::close(fd);
    return 0;
}

int create_errno(const std::string& path, mode_t mode) noexcept {
    return open_errno(path, O_CREAT | O_EXCL | O_WRONLY, mode);
}

}  // namespace idshift::itest

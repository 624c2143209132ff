#include "idshift/oci/rootfs_file.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

namespace idshift::oci {

RootfsFile open_in_rootfs(const std::string& rootfs, const std::string& relative) {
    RootfsFile result;
    const sys::UniqueFd root(::open(rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root) {
        result.err = errno;
        return result;
    }
    open_how how{};
    // O_NONBLOCK: a fifo planted at etc/passwd must not stall container start before the type
    // check below rejects it.
    how.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    const long fd = ::syscall(SYS_openat2, root.get(), relative.c_str(), &how, sizeof how);
    if (fd < 0) {
        result.err = errno;
        return result;
    }
    sys::UniqueFd file(static_cast<int>(fd));
    struct stat st {};
    if (::fstat(file.get(), &st) != 0) {
        result.err = errno;
        return result;
    }
    if (!S_ISREG(st.st_mode)) {
        result.err = EINVAL;
        return result;
    }
    result.fd = std::move(file);
    return result;
}

}  // namespace idshift::oci

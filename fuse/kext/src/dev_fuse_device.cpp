#include "dev_fuse_device.hpp"

#include <fcntl.h>
#include <linux/capability.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

#include "idshift/kext/fsetid_guard.hpp"
#include "idshift/kext/wire.hpp"
#include "idshift/sys/caps.hpp"

namespace idshift::fusell::kext {

int DevFuseDevice::open_backing(int fd) noexcept {
    const FsetidRaise with_fsetid;
    wire::BackingMap map{fd, 0, 0};
    const int id = ::ioctl(dev_fd_.load(std::memory_order_acquire), wire::kDevIocBackingOpen, &map);
    return id < 0 ? -errno : id;
}

int DevFuseDevice::close_backing(int backing_id) noexcept {
    auto id = static_cast<std::uint32_t>(backing_id);
    const int result =
        ::ioctl(dev_fd_.load(std::memory_order_acquire), wire::kDevIocBackingClose, &id);
    return result < 0 ? -errno : 0;
}

Reason probe_passthrough(BackingDevice& device) noexcept {
    const int root = ::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root < 0) return Reason::probe_failed;
    const int result = device.open_backing(root);
    ::close(root);
    if (result > 0) {  // a kernel that takes a directory: usable all the same
        device.close_backing(result);
        return Reason::none;
    }
    switch (-result) {
        case EISDIR:
        case EBADF:
            return Reason::none;
        case EPERM:
            return sys::thread_has_effective(CAP_SYS_ADMIN) ? Reason::kernel_lacks_feature
                                                            : Reason::no_cap_sys_admin;
        default:
            return Reason::probe_failed;
    }
}

}  // namespace idshift::fusell::kext

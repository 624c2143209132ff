#pragma once
// The real BackingDevice: the FUSE_DEV_IOC_BACKING_OPEN/CLOSE ioctls on a /dev/fuse fd of the
// connection (the session fd; any clone works as well).

#include <atomic>

#include "idshift/kext/backing_registry.hpp"
#include "idshift/kext/status.hpp"

namespace idshift::fusell::kext {

class DevFuseDevice final : public BackingDevice {
  public:
    // The fd is known only once the session is mounted; until then every ioctl answers EBADF.
    void set_fd(int dev_fd) noexcept { dev_fd_.store(dev_fd, std::memory_order_release); }

    // Registers with CAP_FSETID dropped: the kernel runs every passthrough write with the
    // credentials of this ioctl, and so the backing filesystem clears suid/sgid on writes through
    // the mount as it does for an unprivileged writer (fsetid_guard.hpp).
    int open_backing(int fd) noexcept override;
    int close_backing(int backing_id) noexcept override;

  private:
    std::atomic<int> dev_fd_{-1};
};

// Asks the kernel, right after the INIT reply, whether passthrough is usable: BACKING_OPEN of an
// O_PATH fd of "/" fails with EISDIR (6.10+) or EBADF (6.9) when it is, and with EPERM when it was
// not negotiated or the daemon lacks CAP_SYS_ADMIN. Returns Reason::none when usable.
[[nodiscard]] Reason probe_passthrough(BackingDevice& device) noexcept;

}  // namespace idshift::fusell::kext

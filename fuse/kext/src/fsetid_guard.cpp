#include "idshift/kext/fsetid_guard.hpp"

#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

namespace idshift::fusell::kext {
namespace {

constexpr unsigned kFsetidBit = 1U << CAP_FSETID;  // CAP_FSETID (4) lives in the first word

using CapData = __user_cap_data_struct[_LINUX_CAPABILITY_U32S_3];

bool get_caps(CapData& data) noexcept {
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    return syscall(SYS_capget, &header, &data[0]) == 0;
}

bool set_caps(CapData& data) noexcept {
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    return syscall(SYS_capset, &header, &data[0]) == 0;
}

}  // namespace

FsetidGuard::FsetidGuard() noexcept {
    const int saved_errno = errno;
    CapData data{};
    if (get_caps(data) && (data[0].effective & kFsetidBit) != 0) {
        data[0].effective &= ~kFsetidBit;
        dropped_ = set_caps(data);
    }
    errno = saved_errno;
}

FsetidGuard::~FsetidGuard() {
    if (!dropped_) return;
    const int saved_errno = errno;
    CapData data{};
    // Permitted still holds CAP_FSETID, so raising it again cannot fail for lack of privilege.
    if (get_caps(data)) {
        data[0].effective |= kFsetidBit;
        set_caps(data);
    }
    errno = saved_errno;
}

FsetidRaise::FsetidRaise() noexcept {
    const int saved_errno = errno;
    CapData data{};
    if (get_caps(data) && (data[0].effective & kFsetidBit) == 0 &&
        (data[0].permitted & kFsetidBit) != 0) {
        data[0].effective |= kFsetidBit;
        raised_ = set_caps(data);
    }
    errno = saved_errno;
}

FsetidRaise::~FsetidRaise() {
    if (!raised_) return;
    const int saved_errno = errno;
    CapData data{};
    if (get_caps(data)) {
        data[0].effective &= ~kFsetidBit;
        set_caps(data);
    }
    errno = saved_errno;
}

}  // namespace idshift::fusell::kext

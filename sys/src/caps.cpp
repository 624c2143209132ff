#include "idshift/sys/caps.hpp"

#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "idshift/sys/errno.hpp"

namespace idshift::sys {
namespace {

// Version 3 carries 64 bits per set as two 32-bit words.
using CapData = __user_cap_data_struct[_LINUX_CAPABILITY_U32S_3];

std::uint64_t join(std::uint32_t low, std::uint32_t high) noexcept {
    return low | std::uint64_t{high} << 32;
}

}  // namespace

Result<Caps> Caps::of_this_thread() noexcept {
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};  // pid 0: this thread
    CapData data{};
    if (::syscall(SYS_capget, &header, &data[0]) != 0) return last_error();
    Caps caps;
    caps.effective = join(data[0].effective, data[1].effective);
    caps.permitted = join(data[0].permitted, data[1].permitted);
    caps.inheritable = join(data[0].inheritable, data[1].inheritable);
    return caps;
}

int Caps::apply_to_this_thread() const noexcept {
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    CapData data{};
    data[0].effective = static_cast<std::uint32_t>(effective);
    data[1].effective = static_cast<std::uint32_t>(effective >> 32);
    data[0].permitted = static_cast<std::uint32_t>(permitted);
    data[1].permitted = static_cast<std::uint32_t>(permitted >> 32);
    data[0].inheritable = static_cast<std::uint32_t>(inheritable);
    data[1].inheritable = static_cast<std::uint32_t>(inheritable >> 32);
    return errno_of(static_cast<int>(::syscall(SYS_capset, &header, &data[0])));
}

bool thread_has_effective(int cap) noexcept {
    const Result<Caps> caps = Caps::of_this_thread();
    return caps.ok() && caps->has_effective(cap);
}

}  // namespace idshift::sys

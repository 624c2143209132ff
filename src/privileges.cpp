#include "privileges.hpp"

#include <linux/capability.h>
#include <sys/prctl.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <system_error>

#include "idshift/sys/caps.hpp"

namespace idshift::daemon {
namespace {

// libcap stays for what sys::Caps does not do: the bounding set (cap_max_bits, cap_drop_bound) and
// the text form of describe_capabilities. The thread's own sets go through sys::Caps, the one
// capget/capset of the project.
struct CapFree {
    void operator()(void* p) const noexcept { cap_free(p); }
};
using LibcapCaps = std::unique_ptr<std::remove_pointer_t<cap_t>, CapFree>;

[[noreturn]] void fail(const char* what) {
    throw std::system_error(errno, std::generic_category(), what);
}

}  // namespace

std::vector<cap_value_t> capabilities_to_keep(const PrivilegeNeeds& needs) {
    std::vector<cap_value_t> keep{CAP_CHOWN,  CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH,
                                  CAP_FOWNER, CAP_FSETID,       CAP_SETUID,
                                  CAP_SETGID, CAP_SETFCAP,      CAP_SYS_ADMIN};
    if (needs.device_nodes) keep.push_back(CAP_MKNOD);
    std::sort(keep.begin(), keep.end());
    return keep;
}

void drop_privileges(const PrivilegeNeeds& needs) {
    const std::vector<cap_value_t> keep = capabilities_to_keep(needs);
    const auto kept = [&keep](cap_value_t cap) {
        return std::binary_search(keep.begin(), keep.end(), cap);
    };

    const sys::Result<sys::Caps> current = sys::Caps::of_this_thread();
    if (!current) {
        errno = current.error();
        fail("capget");
    }

    // The bounding set first: dropping from it needs CAP_SETPCAP, which is about to go.
    if (current->has_effective(CAP_SETPCAP)) {
        const auto supported = static_cast<cap_value_t>(cap_max_bits());
        for (cap_value_t cap = 0; cap < supported; ++cap) {
            if (kept(cap)) continue;
            if (cap_drop_bound(cap) != 0 && errno != EINVAL) fail("cap_drop_bound");
        }
    }
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) {
        fail("PR_CAP_AMBIENT_CLEAR_ALL");
    }

    sys::Caps wanted;  // everything clear but what is kept and present
    for (cap_value_t cap : keep) {
        if (current->has_permitted(cap)) wanted.permitted |= sys::Caps::bit(cap);
    }
    wanted.effective = wanted.permitted;
    if (const int error = wanted.apply_to_this_thread(); error != 0) {
        errno = error;
        fail("capset");
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail("PR_SET_NO_NEW_PRIVS");
}

std::string describe_capabilities() {
    LibcapCaps current(cap_get_proc());
    if (!current) return "(unknown)";
    std::unique_ptr<char, CapFree> text(cap_to_text(current.get(), nullptr));
    return text ? std::string(text.get()) : std::string("(unknown)");
}

}  // namespace idshift::daemon

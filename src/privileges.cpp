#include "privileges.hpp"

#include <linux/capability.h>
#include <sys/prctl.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <system_error>

namespace idshift::daemon {
namespace {

struct CapFree {
    void operator()(void* p) const noexcept { cap_free(p); }
};
using Caps = std::unique_ptr<std::remove_pointer_t<cap_t>, CapFree>;

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

    Caps current(cap_get_proc());
    if (!current) fail("cap_get_proc");
    cap_flag_value_t can_setpcap = CAP_CLEAR;
    cap_get_flag(current.get(), CAP_SETPCAP, CAP_EFFECTIVE, &can_setpcap);

    // The bounding set first: dropping from it needs CAP_SETPCAP, which is about to go.
    if (can_setpcap == CAP_SET) {
        const auto supported = static_cast<cap_value_t>(cap_max_bits());
        for (cap_value_t cap = 0; cap < supported; ++cap) {
            if (kept(cap)) continue;
            if (cap_drop_bound(cap) != 0 && errno != EINVAL) fail("cap_drop_bound");
        }
    }
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) {
        fail("PR_CAP_AMBIENT_CLEAR_ALL");
    }

    Caps wanted(cap_init());  // everything clear
    if (!wanted) fail("cap_init");
    std::vector<cap_value_t> present;
    for (cap_value_t cap : keep) {
        cap_flag_value_t permitted = CAP_CLEAR;
        cap_get_flag(current.get(), cap, CAP_PERMITTED, &permitted);
        if (permitted == CAP_SET) present.push_back(cap);
    }
    if (!present.empty()) {
        const int count = static_cast<int>(present.size());
        if (cap_set_flag(wanted.get(), CAP_PERMITTED, count, present.data(), CAP_SET) != 0 ||
            cap_set_flag(wanted.get(), CAP_EFFECTIVE, count, present.data(), CAP_SET) != 0) {
            fail("cap_set_flag");
        }
    }
    if (cap_set_proc(wanted.get()) != 0) fail("cap_set_proc");
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail("PR_SET_NO_NEW_PRIVS");
}

std::string describe_capabilities() {
    Caps current(cap_get_proc());
    if (!current) return "(unknown)";
    std::unique_ptr<char, CapFree> text(cap_to_text(current.get(), nullptr));
    return text ? std::string(text.get()) : std::string("(unknown)");
}

}  // namespace idshift::daemon

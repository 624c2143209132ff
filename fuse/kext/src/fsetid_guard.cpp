#include "idshift/kext/fsetid_guard.hpp"

#include <linux/capability.h>

#include <cerrno>

#include "idshift/sys/caps.hpp"

namespace idshift::fusell::kext {

// Each guard saves errno around its capget/capset, so that wrapping a syscall never changes the
// error the caller goes on to report.

FsetidGuard::FsetidGuard() noexcept {
    const int saved_errno = errno;
    sys::Result<sys::Caps> caps = sys::Caps::of_this_thread();
    if (caps && caps->has_effective(CAP_FSETID)) {
        caps->drop_effective(CAP_FSETID);
        dropped_ = caps->apply_to_this_thread() == 0;
    }
    errno = saved_errno;
}

FsetidGuard::~FsetidGuard() {
    if (!dropped_) return;
    const int saved_errno = errno;
    // Permitted still holds CAP_FSETID, so raising it again cannot fail for lack of privilege.
    sys::Result<sys::Caps> caps = sys::Caps::of_this_thread();
    if (caps) {
        caps->raise_effective(CAP_FSETID);
        (void)caps->apply_to_this_thread();
    }
    errno = saved_errno;
}

FsetidRaise::FsetidRaise() noexcept {
    const int saved_errno = errno;
    sys::Result<sys::Caps> caps = sys::Caps::of_this_thread();
    if (caps && !caps->has_effective(CAP_FSETID) && caps->has_permitted(CAP_FSETID)) {
        caps->raise_effective(CAP_FSETID);
        raised_ = caps->apply_to_this_thread() == 0;
    }
    errno = saved_errno;
}

FsetidRaise::~FsetidRaise() {
    if (!raised_) return;
    const int saved_errno = errno;
    sys::Result<sys::Caps> caps = sys::Caps::of_this_thread();
    if (caps) {
        caps->drop_effective(CAP_FSETID);
        (void)caps->apply_to_this_thread();
    }
    errno = saved_errno;
}

}  // namespace idshift::fusell::kext

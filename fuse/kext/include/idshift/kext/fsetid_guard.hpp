#pragma once
// Drops CAP_FSETID from the calling thread's effective set for a scope, and raises it again after.
//
// Without CAP_FSETID the backing filesystem clears suid/sgid itself on write, truncate and
// O_TRUNC, exactly as it would for an unprivileged writer. The filesystem wraps the backing syscall
// in this guard where the kernel asked for the bits to be killed (FUSE_HANDLE_KILLPRIV_V2, see
// connection.hpp).
//
// Per thread: raw capget/capset on the calling thread only (glibc and libcap may broadcast).

namespace idshift::fusell::kext {

class FsetidGuard {
  public:
    FsetidGuard() noexcept;
    ~FsetidGuard();
    FsetidGuard(const FsetidGuard&) = delete;
    FsetidGuard& operator=(const FsetidGuard&) = delete;

    // Whether CAP_FSETID was effective and has been dropped (false: nothing to do).
    [[nodiscard]] bool dropped() const noexcept { return dropped_; }

  private:
    bool dropped_ = false;
};

// The opposite: makes CAP_FSETID effective for a scope where it is permitted but not effective
// (a thread acting for a caller with a non-zero fsuid has it cleared), and clears it again after.
// The backing registry wraps FUSE_DEV_IOC_BACKING_OPEN in it: see connection.hpp for why
// passthrough writes must run with CAP_FSETID.
class FsetidRaise {
  public:
    FsetidRaise() noexcept;
    ~FsetidRaise();
    FsetidRaise(const FsetidRaise&) = delete;
    FsetidRaise& operator=(const FsetidRaise&) = delete;

    [[nodiscard]] bool raised() const noexcept { return raised_; }

  private:
    bool raised_ = false;
};

}  // namespace idshift::fusell::kext

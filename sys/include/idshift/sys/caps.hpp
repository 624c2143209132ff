#pragma once
// One thread's capability sets, read and written with the raw capget/capset syscalls.
//
// Per thread on purpose: the credential guards change the effective set of the worker thread that
// runs one request and must leave every other thread alone. libcap (with its psx helper) and
// glibc may broadcast a change to all threads; the raw syscalls never do.
#include <cstdint>

#include "idshift/sys/result.hpp"

namespace idshift::sys {

struct Caps {
    std::uint64_t effective = 0;
    std::uint64_t permitted = 0;
    std::uint64_t inheritable = 0;

    // The bit of capability `cap` (CAP_CHOWN, ... from <linux/capability.h>) in a set.
    static constexpr std::uint64_t bit(int cap) noexcept { return std::uint64_t{1} << cap; }

    // The calling thread's sets (capget). Fails only on a kernel without version-3 capabilities.
    static Result<Caps> of_this_thread() noexcept;
    // Makes these the calling thread's sets (capset): 0 or the errno. Lowering any set and raising
    // the effective set within the permitted one need no privilege.
    int apply_to_this_thread() const noexcept;

    bool has_effective(int cap) const noexcept { return (effective & bit(cap)) != 0; }
    bool has_permitted(int cap) const noexcept { return (permitted & bit(cap)) != 0; }
    void raise_effective(int cap) noexcept { effective |= bit(cap); }
    void drop_effective(int cap) noexcept { effective &= ~bit(cap); }
};

// Whether the calling thread has `cap` in its effective set; false if the sets cannot be read.
bool thread_has_effective(int cap) noexcept;

}  // namespace idshift::sys

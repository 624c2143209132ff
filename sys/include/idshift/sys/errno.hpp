#pragma once
// The two ways a -1/errno call becomes an errno value, written once.
#include <cerrno>

#include "idshift/sys/result.hpp"

namespace idshift::sys {

// 0 when a call that returns 0 on success succeeded, else the errno it left. For the many
// "rc == 0 ? 0 : errno" sites: errno is read after the call, in this function, so the argument
// must be the call itself or a value taken right after it.
inline int errno_of(int rc) noexcept {
    return rc == 0 ? 0 : errno;
}
// The same for syscall(2), which returns a long.
inline int errno_of(long rc) noexcept {
    return rc == 0 ? 0 : errno;
}

// errno of the last failed call as a Result error; never 0 (a call that failed without setting
// errno reports EIO rather than a bogus success).
inline Errno last_error() noexcept {
    return Errno{errno > 0 ? errno : EIO};
}

}  // namespace idshift::sys

#pragma once
// The observable result of one system call: its return value and errno. Suites compare these
// between the native directory and the mount.
#include <string>

namespace idshift::robust {

struct Outcome {
    long ret = 0;
    int err = 0;  // 0 when the call succeeded
    bool operator==(const Outcome&) const = default;
};

// rc < 0 means failure with errno; otherwise success with rc as the value.
Outcome from_rc(long rc);
// An fd-returning call: closes a valid fd and reports plain success (fd numbers differ).
Outcome from_fd(int fd);
// Calls such as posix_fallocate return an error number instead of setting errno.
Outcome from_error_number(int error_number);
inline Outcome failed(int err) {
    return Outcome{-1, err};
}
inline bool succeeded(const Outcome& outcome) {
    return outcome.err == 0;
}

// "EPERM", or "errno 4242" when glibc has no name for it.
std::string errno_name(int err);
// "ok", "ok (7)" or "EPERM".
std::string describe(const Outcome& outcome);

}  // namespace idshift::robust

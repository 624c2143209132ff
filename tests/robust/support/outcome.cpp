#include "outcome.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace idshift::robust {

Outcome from_rc(long rc) {
    return rc < 0 ? Outcome{-1, errno} : Outcome{rc, 0};
}

Outcome from_fd(int fd) {
    if (fd < 0) return failed(errno);
    ::close(fd);
    return Outcome{0, 0};
}

Outcome from_error_number(int error_number) {
    return error_number == 0 ? Outcome{0, 0} : failed(error_number);
}

std::string errno_name(int err) {
    if (err == 0) return "none";
    const char* name = ::strerrorname_np(err);
    return name != nullptr ? name : "errno " + std::to_string(err);
}

std::string describe(const Outcome& outcome) {
    if (outcome.err != 0) return errno_name(outcome.err);
    return outcome.ret == 0 ? "ok" : "ok (" + std::to_string(outcome.ret) + ")";
}

}  // namespace idshift::robust

#include "background.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace idshift::daemon {
namespace {

constexpr int kExitMount = 2;

[[noreturn]] void wait_for_child(int from_child) {
    unsigned char status = kExitMount;
    ssize_t got = 0;
    do {
        got = ::read(from_child, &status, 1);
    } while (got < 0 && errno == EINTR);
    ::_exit(got == 1 ? status : kExitMount);
}

}  // namespace

Background Background::detach() {
    int ends[2];
    if (::pipe2(ends, O_CLOEXEC) != 0)
        throw std::system_error(errno, std::generic_category(), "pipe");
    sys::UniqueFd from_child(ends[0]);
    sys::UniqueFd to_parent(ends[1]);
    const pid_t pid = ::fork();
    if (pid < 0) throw std::system_error(errno, std::generic_category(), "fork");
    if (pid > 0) {
        to_parent.reset();  // so that the child's death ends the read
        wait_for_child(from_child.get());
    }
    from_child.reset();
    ::setsid();
    if (::chdir("/") != 0) {
        // "/" is always there; nothing to do about it if not.
    }
    const sys::UniqueFd null(::open("/dev/null", O_RDWR | O_CLOEXEC));
    if (null) {
        for (int fd : {STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO})
            ::dup2(null.get(), fd);
    }
    return Background(std::move(to_parent));
}

void Background::ready(int status) noexcept {
    if (!to_parent_) return;
    const auto byte = static_cast<unsigned char>(status);
    while (::write(to_parent_.get(), &byte, 1) < 0 && errno == EINTR) {
    }
    to_parent_.reset();
}

}  // namespace idshift::daemon

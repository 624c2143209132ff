#pragma once
// Going into the background as a mount command should: the command returns once the mount is in
// place, or has failed, with that status, and the daemon carries on with no terminal.
#include "idshift/sys/unique_fd.hpp"

namespace idshift::daemon {

class Background {
  public:
    // Staying in the foreground: ready() does nothing.
    Background() = default;

    // Forks. The parent waits for the child's ready() and exits with the status it gives (2, a
    // mount failure, when the child dies first); it never returns. The child leaves the session
    // and the working directory, puts /dev/null on stdin, stdout and stderr, and returns.
    // Throws std::system_error when it cannot fork.
    static Background detach();

    // Lets the waiting parent exit with `status`. Only the first call counts; one thread calls it.
    void ready(int status) noexcept;

  private:
    explicit Background(sys::UniqueFd to_parent) : to_parent_(std::move(to_parent)) {}
    sys::UniqueFd to_parent_;
};

}  // namespace idshift::daemon

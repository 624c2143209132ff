#pragma once
// The one owner of every file descriptor.
#include <unistd.h>

#include <cerrno>
#include <utility>

namespace idshift::sys {

// Move-only. Closes exactly once; never retries close() on EINTR (the fd is gone either way on
// Linux, and a retry could close an fd another thread just got); keeps errno as it was, so cleanup
// on an error path does not clobber the error being reported.
class UniqueFd {
  public:
    UniqueFd() noexcept = default;
    explicit UniqueFd(int fd) noexcept : fd_(fd) {}
    UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
    UniqueFd& operator=(UniqueFd&& other) noexcept {
        if (this != &other) reset(other.release());
        return *this;
    }
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    ~UniqueFd() { reset(); }

    int get() const noexcept { return fd_; }
    explicit operator bool() const noexcept { return fd_ >= 0; }
    // Gives up ownership without closing.
    int release() noexcept { return std::exchange(fd_, -1); }
    // Closes the current fd (if any) and owns `fd` instead.
    void reset(int fd = -1) noexcept {
        const int old = std::exchange(fd_, fd);
        if (old < 0) return;
        const int saved = errno;
        ::close(old);  // never retried: see the class comment
        errno = saved;
    }

  private:
    int fd_ = -1;
};

}  // namespace idshift::sys

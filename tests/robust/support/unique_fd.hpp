#pragma once
// A move-only owner of one file descriptor, so no test path can leak an fd on an early return.
#include <unistd.h>

#include <cerrno>
#include <utility>

namespace idshift::robust {

class UniqueFd {
  public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) noexcept : fd_(fd) {}
    UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    UniqueFd& operator=(UniqueFd&& other) noexcept {
        if (this != &other) {
            reset();
            fd_ = std::exchange(other.fd_, -1);
        }
        return *this;
    }
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    ~UniqueFd() { reset(); }

    int get() const noexcept { return fd_; }
    explicit operator bool() const noexcept { return fd_ >= 0; }

    // Closes once (never retried on EINTR) and keeps the caller's errno intact.
    void reset() noexcept {
        if (fd_ >= 0) {
            const int saved = errno;
            ::close(fd_);
            errno = saved;
            fd_ = -1;
        }
    }

  private:
    int fd_ = -1;
};

}  // namespace idshift::robust

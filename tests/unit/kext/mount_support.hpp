#pragma once
// Helpers for the kext mount tests: a scratch directory with backing/ and mnt/, an fd owner, whole
// file I/O, and a child process running as another user.

#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace idshift::fusell::kext::test {

// An unprivileged user for the "non-owner" cases.
inline constexpr uid_t kOtherUid = 1000;
inline constexpr gid_t kOtherGid = 1000;

// mkdtemp'd directory with backing/ and mnt/ (all 0755 so kOtherUid can reach them), removed with
// everything in it on destruction.
class Scratch {
  public:
    Scratch();
    ~Scratch();
    Scratch(const Scratch&) = delete;
    Scratch& operator=(const Scratch&) = delete;

    [[nodiscard]] const std::string& root() const { return root_; }
    [[nodiscard]] std::string backing(const std::string& name = "") const;
    [[nodiscard]] std::string mnt(const std::string& name = "") const;

  private:
    std::string root_;
};

class Fd {
  public:
    explicit Fd(int fd = -1) noexcept : fd_(fd) {}
    Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    Fd& operator=(Fd&& other) noexcept {
        std::swap(fd_, other.fd_);
        return *this;
    }
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    [[nodiscard]] int get() const noexcept { return fd_; }
    void reset() noexcept {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }

  private:
    int fd_;
};

// Deterministic pseudo-random bytes.
std::vector<char> pattern(std::size_t size, std::uint32_t seed);
// The whole content of `path` (read with the syscalls, no caching layers of our own).
std::vector<char> read_file(const std::string& path);
// Creates or replaces `path` with `content` and `mode` (chmod'ed after writing).
void write_file(const std::string& path, const std::vector<char>& content, mode_t mode);
mode_t mode_of(const std::string& path);

// Drops CAP_SYS_ADMIN from the calling thread's effective set (threads it starts inherit that).
// Returns false if the kernel refused.
bool drop_cap_sys_admin() noexcept;

// Runs `body` in a forked child as uid/gid kOtherUid. `body` must stick to async-signal-safe calls
// (the parent has FUSE threads) and return 0 or an errno. Returns the child's exit code.
template <typename Body>
int run_as_other_user(Body&& body) {
    const pid_t pid = ::fork();
    if (pid == 0) {
        if (::syscall(SYS_setgroups, 0, nullptr) != 0 ||
            ::syscall(SYS_setresgid, kOtherGid, kOtherGid, kOtherGid) != 0 ||
            ::syscall(SYS_setresuid, kOtherUid, kOtherUid, kOtherUid) != 0) {
            ::_exit(125);
        }
        ::_exit(body());
    }
    int status = 0;
    if (pid < 0 || ::waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return -1;
    return WEXITSTATUS(status);
}

}  // namespace idshift::fusell::kext::test

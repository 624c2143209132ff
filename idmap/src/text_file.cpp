#include "text_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <system_error>

namespace idshift::idmap {
namespace {

std::string errno_text(int err) {
    return std::generic_category().message(err);
}

// Closes on scope exit; close() errors on a read-only fd carry no information.
class ReadFd {
  public:
    explicit ReadFd(int fd) noexcept : fd_(fd) {}
    ReadFd(const ReadFd&) = delete;
    ReadFd& operator=(const ReadFd&) = delete;
    ~ReadFd() {
        if (fd_ >= 0) ::close(fd_);
    }
    int get() const noexcept { return fd_; }

  private:
    int fd_;
};

}  // namespace

TextFile read_text_file(const std::string& path) {
    // O_NONBLOCK: opening a fifo must not wait for a writer; it is refused below anyway.
    const ReadFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
    if (fd.get() < 0) return {std::nullopt, errno_text(errno)};
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return {std::nullopt, errno_text(errno)};
    if (S_ISDIR(st.st_mode)) return {std::nullopt, errno_text(EISDIR)};
    if (!S_ISREG(st.st_mode)) return {std::nullopt, "not a regular file"};

    std::string text;
    char buffer[16384];
    for (;;) {
        const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return {std::nullopt, errno_text(errno)};
        if (n == 0) break;
        if (text.size() + static_cast<std::size_t>(n) > kMaxTextFileSize) {
            return {std::nullopt, "larger than 16 MiB"};
        }
        text.append(buffer, static_cast<std::size_t>(n));
    }
    return {std::move(text), {}};
}

std::string resolve_beside(const std::string& referrer, const std::string& path) {
    const std::filesystem::path written(path);
    if (written.is_absolute()) return path;
    return (std::filesystem::path(referrer).parent_path() / written).string();
}

}  // namespace idshift::idmap

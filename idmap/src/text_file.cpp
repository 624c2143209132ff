#include "text_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
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

std::string octal_mode(mode_t mode) {
    char text[8];
    std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
    return text;
}

bool trusted_owner(uid_t uid) {
    return uid == 0 || uid == ::geteuid();
}

constexpr const char* kWhy = ": whoever can edit it decides who is storage root";

}  // namespace

std::optional<std::string> untrusted_because(const std::string& path, const struct stat& st) {
    if (!trusted_owner(st.st_uid)) {
        return "owned by uid " + std::to_string(st.st_uid) + ", not by root or the daemon's user" +
               kWhy + "; run chown root " + path;
    }
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
        return "writable by its group or others (mode " + octal_mode(st.st_mode) + ")" + kWhy +
               "; run chmod go-w " + path;
    }
    std::error_code error;
    const std::filesystem::path real = std::filesystem::canonical(path, error);
    if (error) return std::nullopt;  // it was just opened; a race with its removal is harmless
    for (std::filesystem::path dir = real.parent_path();; dir = dir.parent_path()) {
        struct stat dir_st {};
        if (::stat(dir.c_str(), &dir_st) != 0) break;
        const std::string above = "the directory " + dir.string() + " above it is ";
        if (!trusted_owner(dir_st.st_uid)) {
            return above + "owned by uid " + std::to_string(dir_st.st_uid) +
                   ", not by root or the daemon's user" + kWhy + "; run chown root " + dir.string();
        }
        const bool sticky = (dir_st.st_mode & S_ISVTX) != 0;
        if ((dir_st.st_mode & (S_IWGRP | S_IWOTH)) != 0 && !sticky) {
            return above + "writable by its group or others and not sticky (mode " +
                   octal_mode(dir_st.st_mode) + ")" + kWhy + "; run chmod go-w " + dir.string();
        }
        if (dir == dir.root_path()) break;
    }
    return std::nullopt;
}

TextFile read_text_file(const std::string& path, FileTrust trust) {
    // O_NONBLOCK: opening a fifo must not wait for a writer; it is refused below anyway.
    const ReadFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
    if (fd.get() < 0) return {std::nullopt, errno_text(errno)};
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return {std::nullopt, errno_text(errno)};
    if (S_ISDIR(st.st_mode)) return {std::nullopt, errno_text(EISDIR)};
    if (!S_ISREG(st.st_mode)) return {std::nullopt, "not a regular file"};
    if (trust == FileTrust::checked) {
        if (auto why = untrusted_because(path, st)) return {std::nullopt, std::move(*why), true};
    }

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

#include "support/files.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

#include "support/unique_fd.hpp"

namespace idshift::itest {

namespace {

[[noreturn]] void fail(const std::string& what, const std::string& path) {
    throw std::system_error(errno, std::generic_category(), what + " " + path);
}

}  // namespace

std::ostream& operator<<(std::ostream& out, const Owner& owner) {
    return out << owner.uid << ':' << owner.gid;
}

struct stat lstat_path(const std::string& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) fail("lstat", path);
    return st;
}

Owner owner_of(const std::string& path) {
    const struct stat st = lstat_path(path);
    return {st.st_uid, st.st_gid};
}

mode_t permissions_of(const std::string& path) {
    return lstat_path(path).st_mode & 07777;
}

bool exists(const std::string& path) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0;
}

void write_file(const std::string& path, std::string_view content, mode_t mode) {
    const UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
    if (!fd) fail("open", path);
    std::size_t done = 0;
    while (done < content.size()) {
        const ssize_t n = ::write(fd.get(), content.data() + done, content.size() - done);
        if (n < 0) fail("write", path);
        done += static_cast<std::size_t>(n);
    }
}

std::string read_file(const std::string& path) {
    const UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) fail("open", path);
    std::string content;
    char buffer[65536];
    for (;;) {
        const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
        if (n < 0) fail("read", path);
        if (n == 0) return content;
        content.append(buffer, static_cast<std::size_t>(n));
    }
}

void make_file(const std::string& path, Owner owner, mode_t mode, std::string_view content) {
    write_file(path, content, 0600);
    if (::lchown(path.c_str(), owner.uid, owner.gid) != 0) fail("lchown", path);
    if (::chmod(path.c_str(), mode) != 0) fail("chmod", path);
}

void make_dir(const std::string& path, Owner owner, mode_t mode) {
    if (::mkdir(path.c_str(), 0700) != 0) fail("mkdir", path);
    if (::lchown(path.c_str(), owner.uid, owner.gid) != 0) fail("lchown", path);
    if (::chmod(path.c_str(), mode) != 0) fail("chmod", path);
}

void make_symlink(const std::string& target, const std::string& path, Owner owner) {
    if (::symlink(target.c_str(), path.c_str()) != 0) fail("symlink", path);
    if (::lchown(path.c_str(), owner.uid, owner.gid) != 0) fail("lchown", path);
}

std::string read_link(const std::string& path) {
    std::string target(4096, '\0');
    const ssize_t n = ::readlink(path.c_str(), target.data(), target.size());
    if (n < 0) fail("readlink", path);
    target.resize(static_cast<std::size_t>(n));
    return target;
}

std::vector<std::string> list_dir(const std::string& path) {
    DIR* dir = ::opendir(path.c_str());
    if (dir == nullptr) fail("opendir", path);
    std::vector<std::string> names;
    errno = 0;
    while (const dirent* entry = ::readdir(dir)) {
        const std::string name = entry->d_name;
        if (name != "." && name != "..") names.push_back(name);
    }
    const int error = errno;
    ::closedir(dir);
    if (error != 0) throw std::system_error(error, std::generic_category(), "readdir " + path);
    std::sort(names.begin(), names.end());
    return names;
}

std::optional<std::string> get_xattr(const std::string& path, const std::string& name) {
    const ssize_t size = ::lgetxattr(path.c_str(), name.c_str(), nullptr, 0);
    if (size < 0 && errno == ENODATA) return std::nullopt;
    if (size < 0) fail("lgetxattr " + name, path);
    std::string value(static_cast<std::size_t>(size), '\0');
    const ssize_t got = ::lgetxattr(path.c_str(), name.c_str(), value.data(), value.size());
    if (got < 0) fail("lgetxattr " + name, path);
    value.resize(static_cast<std::size_t>(got));
    return value;
}

void set_xattr(const std::string& path, const std::string& name, std::string_view value) {
    if (::lsetxattr(path.c_str(), name.c_str(), value.data(), value.size(), 0) != 0)
        fail("lsetxattr " + name, path);
}

}  // namespace idshift::itest

#include "support/temp_dir.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string_view>
#include <system_error>

#include "support/unique_fd.hpp"

namespace idshift::itest {

TempDir::TempDir(std::string_view prefix) {
    std::string pattern = "/tmp/" + std::string(prefix) + "XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr)
        throw std::system_error(errno, std::generic_category(), "mkdtemp " + pattern);
    path_ = pattern;
    if (::chmod(path_.c_str(), 0755) != 0) {
        const int error = errno;
        ::rmdir(path_.c_str());
        throw std::system_error(error, std::generic_category(), "chmod " + path_);
    }
}

TempDir::~TempDir() {
    remove_tree(path_);
}

std::string TempDir::at(std::string_view relative) const {
    if (relative.empty()) return path_;
    return path_ + "/" + std::string(relative);
}

namespace {

void report(const std::string& what, const char* name) {
    std::fprintf(stderr, "itest: cannot remove %s/%s: %s\n", what.c_str(), name,
                 std::strerror(errno));
}

// Empties the directory open as `dir_fd` (depth first, through file descriptors so that no path
// grows past PATH_MAX), skipping anything on a device other than `device`.
void remove_children(int dir_fd, dev_t device, const std::string& what) {
    DIR* dir = ::fdopendir(::dup(dir_fd));
    if (dir == nullptr) return;
    while (const dirent* entry = ::readdir(dir)) {
        const std::string_view name = entry->d_name;
        if (name == "." || name == "..") continue;
        struct stat st {};
        if (::fstatat(dir_fd, entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
        if (S_ISDIR(st.st_mode)) {
            if (st.st_dev != device) continue;  // a mount left behind: never empty it
            UniqueFd child(::openat(dir_fd, entry->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
            if (child) remove_children(child.get(), device, what);
            if (::unlinkat(dir_fd, entry->d_name, AT_REMOVEDIR) != 0) report(what, entry->d_name);
        } else if (::unlinkat(dir_fd, entry->d_name, 0) != 0) {
            report(what, entry->d_name);
        }
    }
    ::closedir(dir);
}

}  // namespace

void remove_tree(const std::string& path) noexcept {
    UniqueFd dir(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
    struct stat st {};
    if (!dir || ::fstat(dir.get(), &st) != 0) return;
    remove_children(dir.get(), st.st_dev, path);
    dir.reset();
    if (::rmdir(path.c_str()) != 0)
        std::fprintf(stderr, "itest: cannot remove %s: %s\n", path.c_str(), std::strerror(errno));
}

}  // namespace idshift::itest

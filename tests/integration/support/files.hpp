#pragma once
// File helpers for tests: they throw std::system_error naming the path, so a broken setup reads
// as such instead of as a wrong assertion. Assertions about errno use the raw syscalls instead.
#include <sys/stat.h>
#include <sys/types.h>

#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace idshift::itest {

struct Owner {
    uid_t uid = 0;
    gid_t gid = 0;
    friend bool operator==(const Owner&, const Owner&) = default;
};
std::ostream& operator<<(std::ostream& out, const Owner& owner);

struct stat lstat_path(const std::string& path);
// The owner as lstat sees it (a symlink's own owner, never its target's).
Owner owner_of(const std::string& path);
mode_t permissions_of(const std::string& path);  // the low 12 mode bits
bool exists(const std::string& path);            // lstat succeeds

void write_file(const std::string& path, std::string_view content, mode_t mode = 0644);
std::string read_file(const std::string& path);
// Creates (or truncates) a regular file, then sets owner and mode exactly (no umask).
void make_file(const std::string& path, Owner owner, mode_t mode, std::string_view content = {});
void make_dir(const std::string& path, Owner owner, mode_t mode);
void make_symlink(const std::string& target, const std::string& path, Owner owner = {});
std::string read_link(const std::string& path);
// Names in a directory, sorted, without "." and "..".
std::vector<std::string> list_dir(const std::string& path);

// lgetxattr; nullopt when the attribute is absent (ENODATA).
std::optional<std::string> get_xattr(const std::string& path, const std::string& name);
void set_xattr(const std::string& path, const std::string& name, std::string_view value);

}  // namespace idshift::itest

#pragma once
// Questions answered from /proc/self/mountinfo.
#include <filesystem>

namespace idshift::robust {

// Whether `dir` (an absolute path without symlinks) is itself a mount point.
bool is_mount_point(const std::filesystem::path& dir);
// Whether `dir` or anything below it is a mount point.
bool has_mount_below(const std::filesystem::path& dir);

}  // namespace idshift::robust

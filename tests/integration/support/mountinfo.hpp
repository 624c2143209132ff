#pragma once
// Reading /proc/self/mountinfo.
#include <optional>
#include <string>

namespace idshift::itest {

// The file system type (e.g. "fuse.idshift") of the topmost mount whose mount point is exactly
// `mount_point`, or nullopt when nothing is mounted there.
std::optional<std::string> mount_type_at(const std::string& mount_point);

// The directory of its filesystem that the topmost mount at exactly `mount_point` shows (the
// fourth mountinfo field: "/" for a whole filesystem), or nullopt when nothing is mounted there.
std::optional<std::string> mount_root_at(const std::string& mount_point);

// Whether the topmost mount at exactly `mount_point` is an idmapped mount (the kernel lists
// "idmapped" among its per-mount options): what idshift's kernel backend makes.
bool idmapped_mount_at(const std::string& mount_point);

}  // namespace idshift::itest

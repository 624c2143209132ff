#include "support/mountinfo.hpp"

#include <fstream>
#include <sstream>

namespace idshift::itest {

namespace {

// mountinfo escapes space, tab, newline and backslash as \ooo octal.
std::string unescape(const std::string& field) {
    std::string out;
    for (std::size_t i = 0; i < field.size(); ++i) {
        if (field[i] == '\\' && i + 3 < field.size()) {
            const std::string digits = field.substr(i + 1, 3);
            if (digits.find_first_not_of("01234567") == std::string::npos) {
                out.push_back(static_cast<char>(std::stoi(digits, nullptr, 8)));
                i += 3;
                continue;
            }
        }
        out.push_back(field[i]);
    }
    return out;
}

struct MountLine {
    std::string root;     // the directory of its filesystem the mount shows, "/" for all of it
    std::string options;  // the per-mount options, "rw,nosuid,...,idmapped"
    std::string fs_type;
};

// The topmost mount whose mount point is exactly `mount_point`.
std::optional<MountLine> top_mount_at(const std::string& mount_point) {
    std::ifstream mountinfo("/proc/self/mountinfo");
    std::optional<MountLine> top;
    std::string line;
    while (std::getline(mountinfo, line)) {
        // id parent major:minor root mount-point options [optional fields...] - type source ...
        std::istringstream fields(line);
        std::string id, parent, device, root, point, options;
        fields >> id >> parent >> device >> root >> point >> options;
        if (unescape(point) != mount_point) continue;
        std::string word;
        while (fields >> word && word != "-") {
        }
        std::string fs_type;
        // Later lines are mounted on top of earlier ones.
        if (fields >> fs_type) top = MountLine{unescape(root), options, fs_type};
    }
    return top;
}

}  // namespace

std::optional<std::string> mount_type_at(const std::string& mount_point) {
    const std::optional<MountLine> top = top_mount_at(mount_point);
    if (!top) return std::nullopt;
    return top->fs_type;
}

std::optional<std::string> mount_root_at(const std::string& mount_point) {
    const std::optional<MountLine> top = top_mount_at(mount_point);
    if (!top) return std::nullopt;
    return top->root;
}

bool idmapped_mount_at(const std::string& mount_point) {
    const std::optional<MountLine> top = top_mount_at(mount_point);
    return top && ("," + top->options + ",").find(",idmapped,") != std::string::npos;
}

}  // namespace idshift::itest

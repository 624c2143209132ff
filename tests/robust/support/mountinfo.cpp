#include "mountinfo.hpp"

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace idshift::robust {
namespace {

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape(const std::string& field) {
    std::string out;
    for (std::size_t i = 0; i < field.size(); ++i) {
        if (field[i] == '\\' && i + 3 < field.size()) {
            out += static_cast<char>(std::stoi(field.substr(i + 1, 3), nullptr, 8));
            i += 3;
        } else {
            out += field[i];
        }
    }
    return out;
}

std::vector<std::string> mount_points() {
    std::vector<std::string> points;
    std::ifstream in("/proc/self/mountinfo");
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string id, parent, devno, root, point;
        if (fields >> id >> parent >> devno >> root >> point) points.push_back(unescape(point));
    }
    return points;
}

}  // namespace

bool is_mount_point(const std::filesystem::path& dir) {
    for (const std::string& point : mount_points()) {
        if (point == dir.string()) return true;
    }
    return false;
}

bool has_mount_below(const std::filesystem::path& dir) {
    const std::string prefix = dir.string() + "/";
    for (const std::string& point : mount_points()) {
        if (point == dir.string() || point.starts_with(prefix)) return true;
    }
    return false;
}

}  // namespace idshift::robust

#include "mountinfo.hpp"

#include <sys/sysmacros.h>

#include <fstream>
#include <sstream>

namespace idshift::fusell {
namespace {

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape(const std::string& field) {
    std::string out;
    for (std::size_t i = 0; i < field.size(); ++i) {
        const bool octal =
            field[i] == '\\' && i + 3 < field.size() &&
            field.substr(i + 1, 3).find_first_not_of("01234567") == std::string::npos;
        if (octal) {
            out.push_back(static_cast<char>(std::stoi(field.substr(i + 1, 3), nullptr, 8)));
            i += 3;
        } else {
            out.push_back(field[i]);
        }
    }
    return out;
}

// id parent maj:min root point options [optional fields...] - fstype source super-options
std::optional<MountInfoLine> parse(const std::string& line) {
    std::istringstream fields(line);
    MountInfoLine parsed;
    std::string parent, device, root, point, word;
    if (!(fields >> parsed.id >> parent >> device >> root >> point)) return std::nullopt;
    unsigned dev_major = 0, dev_minor = 0;
    char colon = 0;
    std::istringstream device_text(device);
    if (!(device_text >> dev_major >> colon >> dev_minor) || colon != ':') return std::nullopt;
    parsed.dev = makedev(dev_major, dev_minor);
    parsed.mount_point = unescape(point);
    while (fields >> word && word != "-") {
    }
    if (!(fields >> parsed.fstype)) return std::nullopt;
    return parsed;
}

}  // namespace

std::optional<MountInfoLine> find_mount(const std::function<bool(const MountInfoLine&)>& wanted) {
    std::ifstream table("/proc/self/mountinfo");
    for (std::string line; std::getline(table, line);) {
        const std::optional<MountInfoLine> parsed = parse(line);
        if (parsed && wanted(*parsed)) return parsed;
    }
    return std::nullopt;
}

}  // namespace idshift::fusell

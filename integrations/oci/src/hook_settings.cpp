#include "idshift/oci/hook_settings.hpp"

#include <sstream>

namespace idshift::oci {
namespace {

std::vector<std::string> split(const std::string& text, char separator) {
    std::vector<std::string> parts;
    std::string part;
    std::istringstream in(text);
    while (std::getline(in, part, separator)) {
        if (!part.empty()) parts.push_back(part);
    }
    return parts;
}

std::string trim(const std::string& text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string::npos) return {};
    return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

// Sets KEY of `settings`; false when KEY is not one a setting may have. `runtime_dir` only from
// the host file: an annotation must not choose where root creates directories.
bool set(HookSettings& settings, const std::string& key, const std::string& value, bool host_file,
         std::vector<std::string>& errors, const std::string& where) {
    if (key == "storage-passwd") {
        settings.storage_passwd = value;
    } else if (key == "storage-group") {
        settings.storage_group = value;
    } else if (key == "unmapped-read") {
        settings.unmapped_read = value;
    } else if (key == "unmapped-write") {
        settings.unmapped_write = value;
    } else if (key == "mount-options") {
        for (const std::string& option : split(value, ',')) {
            const std::string name = option.substr(0, option.find('='));
            if (name == "map" || name == "uidmap" || name == "gidmap")
                errors.push_back(where + ": mount-options cannot set " + name +
                                 "= (the map is built from the image)");
        }
        settings.mount_options = value;
    } else if (key == "runtime-dir" && host_file) {
        settings.runtime_dir = value;
    } else {
        return false;
    }
    return true;
}

}  // namespace

HookSettings parse_hook_config(const std::string& text, const std::string& file,
                               std::vector<std::string>& errors) {
    HookSettings settings;
    std::istringstream in(text);
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
        line = trim(line.substr(0, line.find('#')));
        if (line.empty()) continue;
        const auto space = line.find_first_of(" \t");
        const std::string key = line.substr(0, space);
        const std::string value = space == std::string::npos ? "" : trim(line.substr(space));
        const std::string where = file + ":" + std::to_string(number);
        if (value.empty()) {
            errors.push_back(where + ": '" + key + "' needs a value");
        } else if (!set(settings, key, value, true, errors, where)) {
            errors.push_back(where + ": unknown setting '" + key + "'");
        }
    }
    return settings;
}

HookSettings apply_annotations(HookSettings settings,
                               const std::map<std::string, std::string>& annotations,
                               std::vector<std::string>& errors) {
    constexpr std::string_view kPrefix = "io.idshift.";
    for (const auto& [key, value] : annotations) {
        if (!key.starts_with(kPrefix)) continue;
        const std::string name = key.substr(kPrefix.size());
        if (key == kVolumesAnnotation) {
            for (const std::string& path : split(value, ',')) {
                if (!path.starts_with("/")) {
                    errors.push_back("annotation " + key + ": '" + path +
                                     "' is not an absolute container path");
                }
                settings.volumes.push_back(path);
            }
        } else if (!set(settings, name, value, false, errors, "annotation " + key)) {
            errors.push_back("unknown annotation " + key);
        }
    }
    return settings;
}

}  // namespace idshift::oci

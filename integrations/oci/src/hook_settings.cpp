#include "idshift/oci/hook_settings.hpp"

#include <algorithm>
#include <array>
#include <sstream>

namespace idshift::oci {
namespace {

// The settings the host's `annotations` may hand to containers.
constexpr std::array<std::string_view, 5> kAnnotatable = {
    "storage-passwd", "storage-group", "unmapped-read", "unmapped-write", "mount-options"};

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

// The daemon builds its map from the image: no setting may pass one of its own.
void refuse_map_options(const std::string& value, std::vector<std::string>& errors,
                        const std::string& where) {
    for (const std::string& option : split(value, ',')) {
        const std::string name = option.substr(0, option.find('='));
        if (name == "map" || name == "uidmap" || name == "gidmap")
            errors.push_back(where + ": mount-options cannot set " + name +
                             "= (the map is built from the image)");
    }
}

// Sets KEY of `settings` from the host file; false when KEY is not a setting.
bool set_from_host(HookSettings& settings, const std::string& key, const std::string& value,
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
        refuse_map_options(value, errors, where);
        settings.mount_options = value;
    } else if (key == "runtime-dir") {
        settings.runtime_dir = value;
    } else if (key == "storage-dir") {
        if (!value.starts_with("/")) errors.push_back(where + ": storage-dir must be absolute");
        settings.storage_dir = value;
    } else if (key == "annotations") {
        for (const std::string& name : split(value, ',')) {
            if (std::find(kAnnotatable.begin(), kAnnotatable.end(), name) == kAnnotatable.end()) {
                errors.push_back(where + ": annotations: '" + name +
                                 "' is not a setting a container may choose");
            }
            settings.annotatable.insert(name);
        }
    } else {
        return false;
    }
    return true;
}

// A file of the host's storage-dir, named by an annotation: a plain name, never a path.
std::optional<std::string> storage_file(const HookSettings& settings, const std::string& name,
                                        std::vector<std::string>& errors,
                                        const std::string& where) {
    if (!settings.storage_dir) {
        errors.push_back(where + ": this host names no storage-dir for it to choose from");
        return std::nullopt;
    }
    if (name.find('/') != std::string::npos || name.starts_with(".")) {
        errors.push_back(where + ": '" + name + "' is not a file name in " + *settings.storage_dir);
        return std::nullopt;
    }
    return *settings.storage_dir + "/" + name;
}

// Sets KEY of `settings` from an annotation, within what the host allows.
void set_from_annotation(HookSettings& settings, const std::string& key, const std::string& value,
                         std::vector<std::string>& errors, const std::string& where) {
    if (std::find(kAnnotatable.begin(), kAnnotatable.end(), key) == kAnnotatable.end()) {
        errors.push_back("unknown " + where);
        return;
    }
    if (!settings.annotatable.contains(key)) {
        errors.push_back(where + ": this host does not let containers choose " + key +
                         " (see 'annotations' in " + settings.host_file + ")");
        return;
    }
    if (key == "storage-passwd" || key == "storage-group") {
        auto file = storage_file(settings, value, errors, where);
        if (!file) return;
        (key == "storage-passwd" ? settings.storage_passwd : settings.storage_group) = *file;
    } else if (key == "unmapped-read") {
        settings.unmapped_read = value;
    } else if (key == "unmapped-write") {
        settings.unmapped_write = value;
    } else {
        const std::size_t before = errors.size();
        refuse_map_options(value, errors, where);
        if (errors.size() != before) return;
        for (const std::string& option : split(value, ',')) {
            if (!annotation_may_set_option(option)) {
                errors.push_back(where + ": mount-options cannot set '" + option +
                                 "' (a container may only tune caching or give up rights)");
                return;
            }
        }
        settings.mount_options += (settings.mount_options.empty() ? "" : ",") + value;
    }
}

}  // namespace

bool annotation_may_set_option(std::string_view option) noexcept {
    const std::string_view name = option.substr(0, option.find('='));
    const bool has_value = name.size() != option.size();
    if (has_value) return name == "cache" || name == "passthrough";
    constexpr std::array<std::string_view, 9> kFlags = {
        "ro", "nodev", "nosuid", "noexec", "noatime", "nodiratime", "relatime", "sync", "dirsync"};
    return std::find(kFlags.begin(), kFlags.end(), name) != kFlags.end();
}

HookSettings parse_hook_config(const std::string& text, const std::string& file,
                               std::vector<std::string>& errors) {
    HookSettings settings;
    settings.host_file = file;
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
        } else if (!set_from_host(settings, key, value, errors, where)) {
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
        if (key == kVolumesAnnotation) {
            for (const std::string& path : split(value, ',')) {
                if (!path.starts_with("/")) {
                    errors.push_back("annotation " + key + ": '" + path +
                                     "' is not an absolute container path");
                }
                settings.volumes.push_back(path);
            }
        } else {
            set_from_annotation(settings, key.substr(kPrefix.size()), value, errors,
                                "annotation " + key);
        }
    }
    return settings;
}

}  // namespace idshift::oci

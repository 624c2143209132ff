#include "idshift/oci/image_map.hpp"

#include <fcntl.h>

#include <algorithm>
#include <cstring>
#include <tuple>

#include "idshift/idmap/map_file.hpp"
#include "idshift/oci/rootfs_file.hpp"

namespace idshift::oci {
namespace {

// One database the map reads, opened up front and handed to the parser as /proc/self/fd/N: the
// parser then reads exactly the file that was checked (an image's file opened inside its root),
// and messages name the file as the user knows it.
struct OpenedFile {
    sys::UniqueFd fd;
    std::string fd_path;  // /proc/self/fd/N
    std::string shown;    // ROOTFS/etc/passwd, or the storage file as given
};

std::string fd_path(int fd) {
    return "/proc/self/fd/" + std::to_string(fd);
}

// Policies come from annotations and configuration files: one line of map syntax, nothing more.
bool is_policy_text(const std::string& text) {
    return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == ':' || c == ' ';
    });
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
    for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at)) {
        text.replace(at, from.size(), to);
        at += to.size();
    }
    return text;
}

std::string render_policy(const idmap::Policy& policy) {
    std::string text = "unmapped-read  " + std::to_string(idmap::raw(policy.unmapped_read_uid)) +
                       " " + std::to_string(idmap::raw(policy.unmapped_read_gid)) + "\n";
    if (policy.unmapped_write == idmap::UnmappedWrite::deny) return text + "unmapped-write deny\n";
    return text + "unmapped-write squash:" + std::to_string(idmap::raw(policy.squash_uid)) + ":" +
           std::to_string(idmap::raw(policy.squash_gid)) + "\n";
}

std::string render(const ImageMapRequest& request, const idmap::IdMap& map) {
    std::vector<idmap::RuleOrigin> rules = map.origins();
    std::stable_sort(rules.begin(), rules.end(), [](const auto& a, const auto& b) {
        return std::tuple(a.kind, a.extent.mount_first) < std::tuple(b.kind, b.extent.mount_first);
    });
    const auto storage_of = [](const std::optional<std::string>& file) {
        return file ? *file : std::string("the system's user database");
    };
    std::string text = "# idshift map for the image at " + request.rootfs +
                       ": its etc/passwd and etc/group joined by name\n"
                       "# with the storage's users (" +
                       storage_of(request.storage_passwd) + ") and groups (" +
                       storage_of(request.storage_group) + ").\n";
    for (const idmap::RuleOrigin& rule : rules) {
        constexpr std::string_view kPrefix = "names auto: ";
        std::string_view why = rule.text;
        if (why.starts_with(kPrefix)) why.remove_prefix(kPrefix.size());
        text += std::string(rule.kind == idmap::Kind::uid ? "uid " : "gid ") +
                std::to_string(rule.extent.mount_first) + " " +
                std::to_string(rule.extent.storage_first) + "  # " + std::string(why) + "\n";
    }
    return text + render_policy(map.policy());
}

}  // namespace

ImageMap build_image_map(const ImageMapRequest& request, const idmap::NameResolver& storage_names) {
    ImageMap result;
    std::vector<OpenedFile> files;
    std::string map_text;
    for (const char* name : {"passwd", "group"}) {
        const std::string relative = std::string("etc/") + name;
        RootfsFile opened = open_in_rootfs(request.rootfs, relative);
        const std::string shown = request.rootfs + "/" + relative;
        if (!opened.fd) {
            const char* reason =
                opened.err == EINVAL ? "not a regular file" : std::strerror(opened.err);
            result.errors.push_back("image has no /" + relative + " (" + shown + ": " + reason +
                                    ")");
            continue;
        }
        map_text += std::string(name) + " " + fd_path(opened.fd.get()) + "\n";
        files.push_back({std::move(opened.fd), {}, shown});
        files.back().fd_path = fd_path(files.back().fd.get());
    }
    for (const auto& [keyword, declared] : {std::pair("storage-passwd", &request.storage_passwd),
                                            std::pair("storage-group", &request.storage_group)}) {
        if (!declared->has_value()) continue;
        const std::string& path = **declared;
        sys::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
        if (!fd) {
            result.errors.push_back(path + ": cannot read: " + std::strerror(errno));
            continue;
        }
        map_text += std::string(keyword) + " " + fd_path(fd.get()) + "\n";
        files.push_back({std::move(fd), {}, path});
        files.back().fd_path = fd_path(files.back().fd.get());
    }
    for (const auto& [keyword, value] : {std::pair("unmapped-read", &request.unmapped_read),
                                         std::pair("unmapped-write", &request.unmapped_write)}) {
        if (!is_policy_text(*value)) {
            result.errors.push_back(std::string(keyword) + " '" + *value +
                                    "': expected ids and words of map syntax only");
            continue;
        }
        map_text += std::string(keyword) + " " + *value + "\n";
    }
    if (!result.errors.empty()) return result;
    map_text += "names auto\n";
    // Longest first: /proc/self/fd/3 is a prefix of /proc/self/fd/31.
    std::sort(files.begin(), files.end(), [](const OpenedFile& a, const OpenedFile& b) {
        return a.fd_path.size() > b.fd_path.size();
    });

    const std::string self = "image " + request.rootfs;
    const idmap::MapLoad loaded = idmap::parse_map_text(map_text, self, storage_names);
    for (const idmap::ParseError& error : loaded.errors) {
        // Errors of the text composed here carry no useful line; those of a database do.
        std::string message = error.file == self ? error.message : error.to_string();
        for (const OpenedFile& file : files)
            message = replace_all(std::move(message), file.fd_path, file.shown);
        result.errors.push_back(std::move(message));
    }
    if (loaded.ok()) result.text = render(request, *loaded.map);
    return result;
}

}  // namespace idshift::oci

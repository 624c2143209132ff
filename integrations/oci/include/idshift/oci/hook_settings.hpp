#pragma once
// What the hook does for one container: the volumes named by the annotation io.idshift.volumes,
// and the storage user database, policies and mount options, each from the container's
// annotations (io.idshift.KEY) or else from the host's file (/etc/idshift/oci-hook.conf).
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace idshift::oci {

inline constexpr const char* kDefaultHookConfig = "/etc/idshift/oci-hook.conf";
inline constexpr const char* kVolumesAnnotation = "io.idshift.volumes";

struct HookSettings {
    std::vector<std::string> volumes;  // container paths, e.g. "/data"
    std::optional<std::string> storage_passwd;
    std::optional<std::string> storage_group;
    std::string unmapped_read = "65534";
    std::string unmapped_write = "deny";
    std::string mount_options;  // extra -o options for the daemon (never map=, uidmap=, gidmap=)
    // Where staging mounts and maps live while a container starts; host file only.
    std::string runtime_dir = "/run/idshift/oci";
    // Host file only: the settings a container's annotation may choose (`annotations KEY,...`).
    // Whoever creates a container writes its annotations, and the hook runs as root on the host:
    // by default an annotation chooses nothing but io.idshift.volumes.
    std::set<std::string> annotatable;
    // Host file only: the directory whose files an annotation's storage-passwd / storage-group
    // name (a file name, never a path).
    std::optional<std::string> storage_dir;
    // The host file these came from, for messages.
    std::string host_file = kDefaultHookConfig;
};

// Options an annotation's mount-options may add to the host's: each tunes caching or takes a
// right away, none gives one (no dev, suid, exec, allow_idmap, map_owner_check, stats_socket,
// threads: the daemon's threads are the host's to size).
bool annotation_may_set_option(std::string_view option) noexcept;

// Parses the host file: "KEY VALUE" lines, '#' comments, blank lines. Keys: storage-passwd,
// storage-group, unmapped-read, unmapped-write, mount-options, runtime-dir, annotations,
// storage-dir. Errors append "FILE:LINE: message" to `errors`.
HookSettings parse_hook_config(const std::string& text, const std::string& file,
                               std::vector<std::string>& errors);

// Applies the container's annotations over `defaults`: io.idshift.volumes (comma-separated
// absolute paths), and those of io.idshift.storage-passwd, .storage-group, .unmapped-read,
// .unmapped-write, .mount-options that the host's `annotations` allows. storage-passwd and
// storage-group name a file of the host's storage-dir; mount-options are added to the host's,
// and only annotation_may_set_option() ones. Each refusal is appended to `errors`.
HookSettings apply_annotations(HookSettings defaults,
                               const std::map<std::string, std::string>& annotations,
                               std::vector<std::string>& errors);

}  // namespace idshift::oci

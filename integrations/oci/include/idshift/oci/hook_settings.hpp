#pragma once
// What the hook does for one container: the volumes named by the annotation io.idshift.volumes,
// and the storage user database, policies and mount options, each from the container's
// annotations (io.idshift.KEY) or else from the host's file (/etc/idshift/oci-hook.conf).
#include <map>
#include <optional>
#include <string>
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
};

// Parses the host file: "KEY VALUE" lines, '#' comments, blank lines. Keys: storage-passwd,
// storage-group, unmapped-read, unmapped-write, mount-options, runtime-dir. Errors append
// "FILE:LINE: message" to `errors`.
HookSettings parse_hook_config(const std::string& text, const std::string& file,
                               std::vector<std::string>& errors);

// Applies the container's annotations over `defaults`: io.idshift.volumes (comma-separated
// absolute paths), io.idshift.storage-passwd, .storage-group, .unmapped-read, .unmapped-write,
// .mount-options. Errors (a relative volume path, a map option in mount-options) are appended.
HookSettings apply_annotations(HookSettings defaults,
                               const std::map<std::string, std::string>& annotations,
                               std::vector<std::string>& errors);

}  // namespace idshift::oci

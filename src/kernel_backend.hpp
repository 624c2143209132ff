#pragma once
// The kernel backend as the daemon uses it: the map compiled, a user namespace made, SOURCE
// cloned and idmapped, the clone attached; the choice between it and FUSE, with its reason.
#include <optional>
#include <string>

#include "config.hpp"
#include "idshift/idmap/id_map.hpp"
#include "idshift/kernel/idmapped_mount.hpp"

namespace idshift::daemon {

// The mount flags -o asked for, as the kernel backend applies them (nosuid and nodev unless suid
// and dev, as on the FUSE backend).
kernel::MountFlags kernel_mount_flags(const Config& config);

// An idmapped clone of `source`, detached, or why there is none. `unsupported` is set when the
// storage refused the idmap itself; `expressible` is false when the map cannot be carried.
struct KernelClone {
    std::optional<kernel::DetachedMount> mount;
    std::string reason;  // what was done, or why not: one clause for the log line
    bool expressible = true;
};
KernelClone make_kernel_clone(const std::string& source, const idmap::IdMap& map,
                              const kernel::MountFlags& flags);

// The outcome of -o backend=auto|kernel before any FUSE mount is attempted.
struct KernelAttempt {
    bool mounted = false;
    std::string reason;
};

// Tries the kernel backend for `config`: on success the mount is attached at MOUNTPOINT and its
// record written. Logs nothing; the caller writes the one line.
KernelAttempt try_kernel_backend(const Config& config, const idmap::IdMap& map);

}  // namespace idshift::daemon

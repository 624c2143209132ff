#pragma once
// What a kernel-backend mount leaves behind, since no daemon stays to answer for it:
// /run/idshift/<escaped mountpoint>.kernel, written when the mount is made. `idshift stats` and
// `idshift reload` read it. It names the mount by its unique mount id, so a record outliving its
// mount (a plain umount, a reboot without a tmpfs /run) is recognised as stale and ignored, and
// the next kernel-backend mount removes it.
#include <cstdint>
#include <optional>
#include <string>

#include "idshift/kernel/idmapped_mount.hpp"

namespace idshift::daemon {

struct KernelRecord {
    std::uint64_t mount_id = 0;
    std::string mountpoint;  // resolved
    std::string source;      // absolute
    std::string map_file;    // absolute; empty when the map was given inline
    std::string uidmap;      // the inline rules, when there is no map file
    std::string gidmap;
    kernel::MountFlags flags;
};

// /run/idshift/<escaped resolved mountpoint>.kernel
std::string kernel_record_path(const std::string& mountpoint);

// Writes the record atomically (a rename), and removes the records of mounts that are gone
// (unmounted without idshift: nothing else would); throws std::system_error.
void write_kernel_record(const std::string& mountpoint, const KernelRecord& record);

// The record of the kernel-backend mount now on `mountpoint`, or nullopt when there is none or
// the one there names another mount (stale).
std::optional<KernelRecord> find_kernel_record(const std::string& mountpoint);

}  // namespace idshift::daemon

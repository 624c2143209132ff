#pragma once
// After mounting, the daemon keeps only the capabilities its features need.
#include <sys/capability.h>

#include <string>
#include <vector>

namespace idshift::daemon {

struct PrivilegeNeeds {
    bool device_nodes = false;  // -o dev: mknod of device nodes (CAP_MKNOD)
};

// The capabilities kept, and why each:
//   CHOWN, FOWNER, FSETID, DAC_OVERRIDE   act for the caller (chown, chmod, times of files the
//                                         caller owns on the mount side) and as root for root
//   DAC_READ_SEARCH                       open_by_handle_at (reopening nodes from their handles)
//   SETUID, SETGID                        switch each thread's fsuid, fsgid and groups
//   SETFCAP                               store security.capability for callers allowed to set it
//   SYS_ADMIN                             FUSE passthrough's backing-file ioctls, and unmounting
//                                         at exit (umount2 as root)
//   MKNOD                                 only with -o dev
// Per-request credential switching drops the filesystem ones again for non-root callers.
std::vector<cap_value_t> capabilities_to_keep(const PrivilegeNeeds& needs);

// Clears every other capability from the effective, permitted and inheritable sets, the ambient
// set and (where CAP_SETPCAP allows) the bounding set, and sets no_new_privs. Capabilities belong
// to threads: call this while the process has no other thread yet (threads started later inherit
// the result). Throws std::system_error.
void drop_privileges(const PrivilegeNeeds& needs);

// The calling thread's capabilities in cap_to_text form (e.g. "cap_chown,cap_setuid=ep").
std::string describe_capabilities();

}  // namespace idshift::daemon

#pragma once
// Runs the current thread as the caller, so that the backing filesystem checks permissions and
// stamps ownership itself (setgid directories, default ACLs and NFS root squashing all work).
//
// Only the calling thread changes: the raw setfsuid/setfsgid/setgroups/capset syscalls act on one
// thread, while glibc's wrappers of setgroups and set*id change every thread of the process.
//
// Capabilities follow the kernel's fsuid fix-up, on purpose: switching the fsuid from 0 to a
// non-zero id drops CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER, CAP_FSETID, ...
// from the effective set, so the backing filesystem judges the request as that user would be
// judged; switching back to 0 raises them again. The one exception is a caller that is root on
// the mount side but maps to a non-zero storage uid: the kernel already checked its capabilities
// (default_permissions), so the guard raises the effective set again for that thread.
//
// Cheap on purpose, since every request makes one: each thread reads what it runs as between
// requests (fsuid, fsgid, groups) once, every guard returns it to exactly that, and a guard only
// changes what differs from it, so a caller whose storage ids are the daemon's own costs no
// syscall at all and an ordinary caller four (fsgid and fsuid there and back).
#include <sys/types.h>

#include <cstdint>
#include <span>

#include "idshift/idmap/ids.hpp"
#include "idshift/sys/caps.hpp"

namespace idshift::fusell {

// The overflow ids until set: a forgotten field must not run a request as storage root.
struct StorageCreds {
    idmap::StorageUid uid{idmap::kOverflowId};
    idmap::StorageGid gid{idmap::kOverflowId};
    std::span<const idmap::StorageGid> groups;
    bool privileged = false;  // root on the mount side
};

class CredsGuard {
  public:
    explicit CredsGuard(const StorageCreds& creds) noexcept;
    ~CredsGuard();
    CredsGuard(const CredsGuard&) = delete;
    CredsGuard& operator=(const CredsGuard&) = delete;

    // 0, or the errno of the switch that failed (the thread is then back as it was).
    int error() const noexcept { return error_; }

  private:
    void restore() noexcept;

    sys::Caps saved_caps_;  // before a raise; kept only when the restore must put them back
    bool groups_set_ = false;
    bool fsgid_set_ = false;
    bool fsuid_set_ = false;
    bool caps_set_ = false;
    int error_ = 0;
};

// Applies the caller's umask to what this thread creates. A process has one umask, shared by its
// threads, so the first use in a thread unshares its fs_struct (unshare(CLONE_FS)); from then on
// umask(2) in that thread affects it alone. The backing filesystem applies the umask only where
// the parent directory has no default ACL, which is exactly POSIX's rule.
class UmaskGuard {
  public:
    explicit UmaskGuard(mode_t umask) noexcept;
    ~UmaskGuard();
    UmaskGuard(const UmaskGuard&) = delete;
    UmaskGuard& operator=(const UmaskGuard&) = delete;

    int error() const noexcept { return error_; }

  private:
    mode_t saved_ = 0;
    bool set_ = false;
    int error_ = 0;
};

}  // namespace idshift::fusell

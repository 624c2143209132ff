#include "creds.hpp"

#include <linux/capability.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

namespace idshift::fusell {
namespace {

using idmap::raw;

// setfsuid/setfsgid report the previous id and no error. Asking with an invalid id (-1) changes
// nothing and reports the current one, which tells whether the switch took.
uid_t switch_fsuid(uid_t uid) noexcept {
    return static_cast<uid_t>(syscall(SYS_setfsuid, uid));
}
gid_t switch_fsgid(gid_t gid) noexcept {
    return static_cast<gid_t>(syscall(SYS_setfsgid, gid));
}
uid_t current_fsuid() noexcept {
    return switch_fsuid(static_cast<uid_t>(-1));
}
gid_t current_fsgid() noexcept {
    return switch_fsgid(static_cast<gid_t>(-1));
}

int set_groups(std::span<const gid_t> groups) noexcept {
    if (syscall(SYS_setgroups, groups.size(), groups.data()) != 0) return errno;
    return 0;
}

int get_effective(std::uint32_t (&effective)[2]) noexcept {
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[2]{};
    if (syscall(SYS_capget, &header, data) != 0) return errno;
    effective[0] = data[0].effective;
    effective[1] = data[1].effective;
    return 0;
}

// Sets this thread's effective set (which must stay within the permitted set: no privilege is
// needed for that).
int set_effective(const std::uint32_t (&effective)[2]) noexcept {
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[2]{};
    if (syscall(SYS_capget, &header, data) != 0) return errno;
    data[0].effective = effective[0];
    data[1].effective = effective[1];
    if (syscall(SYS_capset, &header, data) != 0) return errno;
    return 0;
}

}  // namespace

CredsGuard::CredsGuard(const StorageCreds& creds) noexcept {
    const uid_t uid = raw(creds.uid);
    const gid_t gid = raw(creds.gid);
    const bool raise_caps = creds.privileged && uid != 0;
    if (raise_caps) {
        if ((error_ = get_effective(saved_effective_)) != 0) return;
    }

    saved_groups_.resize(64);
    long count = syscall(SYS_getgroups, saved_groups_.size(), saved_groups_.data());
    if (count < 0 && errno == EINVAL) {  // more than 64: ask for the size, then read them all
        saved_groups_.resize(static_cast<std::size_t>(syscall(SYS_getgroups, 0, nullptr)));
        count = syscall(SYS_getgroups, saved_groups_.size(), saved_groups_.data());
    }
    if (count < 0) {
        error_ = errno;
        return;
    }
    saved_groups_.resize(static_cast<std::size_t>(count));

    boost::container::small_vector<gid_t, 32> groups;
    groups.reserve(creds.groups.size());
    for (auto group : creds.groups)
        groups.push_back(raw(group));
    if ((error_ = set_groups({groups.data(), groups.size()})) != 0) return;
    groups_set_ = true;

    saved_fsgid_ = switch_fsgid(gid);
    fsgid_set_ = true;
    if (current_fsgid() != gid) {
        error_ = EPERM;
        restore();
        return;
    }
    saved_fsuid_ = switch_fsuid(uid);
    fsuid_set_ = true;
    if (current_fsuid() != uid) {
        error_ = EPERM;
        restore();
        return;
    }
    if (raise_caps) {
        if ((error_ = set_effective(saved_effective_)) != 0) {
            restore();
            return;
        }
        caps_set_ = true;
    }
}

CredsGuard::~CredsGuard() {
    restore();
}

void CredsGuard::restore() noexcept {
    const int saved_errno = errno;
    // fsuid first: going back to 0 makes the kernel raise the filesystem capabilities again.
    if (fsuid_set_) switch_fsuid(saved_fsuid_);
    if (caps_set_) set_effective(saved_effective_);
    if (fsgid_set_) switch_fsgid(saved_fsgid_);
    if (groups_set_) set_groups({saved_groups_.data(), saved_groups_.size()});
    fsuid_set_ = caps_set_ = fsgid_set_ = groups_set_ = false;
    errno = saved_errno;
}

UmaskGuard::UmaskGuard(mode_t umask) noexcept {
    // Per-thread state mirroring the kernel's: whether this thread already has its own fs_struct.
    thread_local bool unshared = false;
    if (!unshared) {
        if (::unshare(CLONE_FS) != 0) {
            error_ = errno;
            return;
        }
        unshared = true;
    }
    saved_ = ::umask(umask & 0777);
    set_ = true;
}

UmaskGuard::~UmaskGuard() {
    if (set_) ::umask(saved_);
}

}  // namespace idshift::fusell

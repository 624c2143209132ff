#include "creds.hpp"

#include <linux/capability.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include <boost/container/small_vector.hpp>

#include "idshift/sys/caps.hpp"

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

// The filesystem capabilities: the ones the kernel drops from the effective set when the fsuid
// leaves 0 and raises again (as far as the permitted set allows) when it comes back.
constexpr std::uint64_t kFsCapMask = (1ULL << CAP_CHOWN) | (1ULL << CAP_DAC_OVERRIDE) |
                                     (1ULL << CAP_DAC_READ_SEARCH) | (1ULL << CAP_FOWNER) |
                                     (1ULL << CAP_FSETID) | (1ULL << CAP_LINUX_IMMUTABLE) |
                                     (1ULL << CAP_MKNOD) | (1ULL << CAP_MAC_OVERRIDE);

// What a worker thread runs as between requests, read once per thread. Every guard puts the
// thread back to exactly this, so guards compare against it instead of asking the kernel each
// time: on a request path each syscall counts, and a switch to the ids the thread already has
// costs none.
struct ThreadBase {
    bool known = false;
    uid_t fsuid = 0;
    gid_t fsgid = 0;
    boost::container::small_vector<gid_t, 32> groups;
    int error = 0;  // reading them failed: every guard on this thread fails with it
};

const ThreadBase& thread_base() noexcept {
    thread_local ThreadBase base;
    if (base.known) return base;
    base.known = true;
    base.fsuid = current_fsuid();
    base.fsgid = current_fsgid();
    base.groups.resize(64);
    long count = syscall(SYS_getgroups, base.groups.size(), base.groups.data());
    if (count < 0 && errno == EINVAL) {  // more than 64: ask for the size, then read them all
        base.groups.resize(static_cast<std::size_t>(syscall(SYS_getgroups, 0, nullptr)));
        count = syscall(SYS_getgroups, base.groups.size(), base.groups.data());
    }
    if (count < 0) {
        base.error = errno;
        base.groups.clear();
    } else {
        base.groups.resize(static_cast<std::size_t>(count));
    }
    return base;
}

bool same_groups(std::span<const idmap::StorageGid> wanted, std::span<const gid_t> have) noexcept {
    return std::equal(wanted.begin(), wanted.end(), have.begin(), have.end(),
                      [](idmap::StorageGid a, gid_t b) { return raw(a) == b; });
}

}  // namespace

CredsGuard::CredsGuard(const StorageCreds& creds) noexcept {
    const ThreadBase& base = thread_base();
    if ((error_ = base.error) != 0) return;
    const uid_t uid = raw(creds.uid);
    const gid_t gid = raw(creds.gid);
    const bool raise_caps = creds.privileged && uid != 0;
    sys::Caps caps;
    if (raise_caps) {
        const sys::Result<sys::Caps> read = sys::Caps::of_this_thread();
        if ((error_ = read.error()) != 0) return;
        caps = *read;
    }

    if (!same_groups(creds.groups, {base.groups.data(), base.groups.size()})) {
        boost::container::small_vector<gid_t, 32> groups;
        groups.reserve(creds.groups.size());
        for (auto group : creds.groups)
            groups.push_back(raw(group));
        if ((error_ = set_groups({groups.data(), groups.size()})) != 0) return;
        groups_set_ = true;
    }
    // A failed setfsgid/setfsuid changes nothing and says nothing; asking again says whether it
    // took. It can fail only without CAP_SETGID/CAP_SETUID, which the daemon keeps for its whole
    // life, so each thread checks its first switch and trusts the rest.
    thread_local bool switches_checked = false;
    if (gid != base.fsgid) {
        switch_fsgid(gid);
        fsgid_set_ = true;
        if (!switches_checked && current_fsgid() != gid) {
            error_ = EPERM;
            restore();
            return;
        }
    }
    if (uid != base.fsuid) {
        switch_fsuid(uid);
        fsuid_set_ = true;
        if (!switches_checked && current_fsuid() != uid) {
            error_ = EPERM;
            restore();
            return;
        }
    }
    switches_checked = switches_checked || (fsgid_set_ && fsuid_set_);
    if (raise_caps && fsuid_set_) {
        if ((error_ = caps.apply_to_this_thread()) != 0) {
            restore();
            return;
        }
        // Back at fsuid 0 the kernel raises the filesystem capabilities the permitted set holds;
        // only a set that lacked one of them before needs putting back by hand.
        caps_set_ = (kFsCapMask & caps.permitted & ~caps.effective) != 0;
        saved_caps_ = caps;
    }
}

CredsGuard::~CredsGuard() {
    restore();
}

void CredsGuard::restore() noexcept {
    const ThreadBase& base = thread_base();
    const int saved_errno = errno;
    // fsuid first: going back to 0 makes the kernel raise the filesystem capabilities again.
    if (fsuid_set_) switch_fsuid(base.fsuid);
    if (caps_set_) saved_caps_.apply_to_this_thread();
    if (fsgid_set_) switch_fsgid(base.fsgid);
    if (groups_set_) set_groups({base.groups.data(), base.groups.size()});
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

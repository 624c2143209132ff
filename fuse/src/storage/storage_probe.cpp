#include "storage_probe.hpp"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "../creds.hpp"
#include "../inode_handle.hpp"
#include "../mountinfo.hpp"
#include "idshift/fusell/result.hpp"
#include "idshift/sys/errno.hpp"
#include "idshift/sys/files.hpp"
#include "root_times.hpp"

namespace idshift::fusell::storage {
namespace {

// Storage whose server, not the kernel, decides: FUSE, NFS, SMB/CIFS (both magics), Ceph, 9P,
// AFS, Coda.
bool remote_magic(long type) noexcept {
    switch (static_cast<unsigned long>(type)) {
        case 0x65735546UL:  // FUSE
        case 0x6969UL:      // NFS
        case 0x517BUL:      // SMB
        case 0xFF534D42UL:  // CIFS
        case 0xFE534D42UL:  // SMB2
        case 0x00C36400UL:  // Ceph
        case 0x01021997UL:  // 9P
        case 0x5346414FUL:  // AFS
        case 0x73757245UL:  // Coda
            return true;
        default:
            return false;
    }
}

// A name for the magic where the mount table does not list the st_dev (btrfs gives every
// subvolume an anonymous device of its own).
std::string magic_name(long type) {
    switch (static_cast<unsigned long>(type)) {
        case 0x9123683EUL:
            return "btrfs";
        case 0xEF53UL:
            return "ext4";
        case 0x58465342UL:
            return "xfs";
        case 0x01021994UL:
            return "tmpfs";
        case 0x794C7630UL:
            return "overlay";
        case 0x65735546UL:
            return "fuse";
        case 0x6969UL:
            return "nfs";
        default:
            return {};
    }
}

// The type the mount table gives the filesystem of `dev` ("fuse.glusterfs"), or "".
std::string fstype_of(dev_t dev) {
    const auto line = find_mount([dev](const MountInfoLine& mount) { return mount.dev == dev; });
    return line ? line->fstype : std::string();
}

Answer acl_answer(int fd) noexcept {
    const sys::ProcFdPath path(fd);
    if (::getxattr(path.c_str(), "system.posix_acl_access", nullptr, 0) >= 0) return Answer::yes;
    if (errno == ENODATA) return Answer::yes;
    if (errno == EOPNOTSUPP) return Answer::no;
    return Answer::unknown;
}

Answer handle_answer(int fd) noexcept {
    auto handle = handle_of(fd);
    if (!handle) return Answer::unknown;
    return handle->empty() ? Answer::no : Answer::yes;
}

StorageCreds as(uid_t id, bool privileged = false) noexcept {
    StorageCreds creds;
    creds.uid = idmap::StorageUid{id};
    creds.gid = idmap::StorageGid{id};
    creds.privileged = privileged;
    return creds;
}

// The probe's directory and what it made in there, removed when the probe ends, however it ends.
class ProbeDir {
  public:
    ProbeDir(int parent, std::string name) : parent_(parent), name_(std::move(name)) {}
    ~ProbeDir() {
        if (!fd_) return;
        for (const char* entry : {"owner", "a", "b", "c"})
            ::unlinkat(fd_.get(), entry, 0);
        fd_.reset();
        ::unlinkat(parent_, name_.c_str(), AT_REMOVEDIR);
    }
    ProbeDir(const ProbeDir&) = delete;
    ProbeDir& operator=(const ProbeDir&) = delete;

    // 0, or why the directory cannot be made.
    int make() noexcept {
        if (::mkdirat(parent_, name_.c_str(), 0700) != 0) return errno;
        auto fd = sys::open_at(parent_, name_.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
        if (!fd) {
            ::unlinkat(parent_, name_.c_str(), AT_REMOVEDIR);
            return fd.error();
        }
        fd_ = std::move(*fd);
        // Strangers create in it: world-writable, and only here, for the probe's few calls.
        return sys::errno_of(::fchmod(fd_.get(), 0777));
    }
    int get() const noexcept { return fd_.get(); }

  private:
    int parent_;
    std::string name_;
    sys::UniqueFd fd_;
};

std::string probe_dir_name() {
    static std::atomic<unsigned> counter{0};
    return ".idshift-probe." + std::to_string(::getpid()) + "." + std::to_string(counter++);
}

Answer rename_answer(int dir, unsigned flags) noexcept {
    if (::renameat2(dir, "a", dir, flags == RENAME_EXCHANGE ? "b" : "c", flags) == 0)
        return Answer::yes;
    return errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP ? Answer::no : Answer::unknown;
}

// Whether `st` shows timestamps finer than a second. A storage with finer ones shows a whole
// second in both the mtime and the ctime once in a billion stats: it is then taken for a coarse
// one, which costs cache=auto its reuse of page caches there and nothing else.
Answer timestamps_answer(const struct stat& st) noexcept {
    return st.st_mtim.tv_nsec != 0 || st.st_ctim.tv_nsec != 0 ? Answer::yes : Answer::no;
}

void probe_files(int dir, Traits& t) {
    // A file made as a stranger: is it the stranger's?
    sys::UniqueFd owner_fd;
    {
        CredsGuard guard(as(kProbeOwner));
        if (guard.error() == 0) {
            auto fd = sys::open_at(dir, "owner", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
            if (fd) owner_fd = std::move(*fd);
        }
    }
    if (!owner_fd) {  // the storage refuses strangers (squashed, say): go on as the daemon
        auto fd = sys::open_at(dir, "owner", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
        if (!fd) return;
        owner_fd = std::move(*fd);
    } else {
        auto st = sys::stat_fd(owner_fd.get());
        if (st) {
            t.fine_timestamps = timestamps_answer(*st);
            t.owner_from_creds =
                st->st_uid == kProbeOwner && st->st_gid == kProbeOwner ? Answer::yes : Answer::no;
        }
    }
    // May the daemon give it away?
    if (::fchown(owner_fd.get(), kProbeChownTo, kProbeChownTo) == 0) {
        auto st = sys::stat_fd(owner_fd.get());
        t.chown = st && st->st_uid == kProbeChownTo ? Answer::yes : Answer::no;
        if (t.chown == Answer::no) t.chown_error = EPERM;  // taken, but not kept
    } else {
        t.chown = Answer::no;
        t.chown_error = errno;
    }
    ::fchmod(owner_fd.get(), 0600);
    owner_fd.reset();
    // The passthrough question: a third stranger, its capabilities raised as the kernel's own
    // check of it would have passed (default_permissions), opens the 0600 file for writing. Local
    // filesystems leave the judging to the kernel and let it; a storage that judges the open
    // itself refuses. The kernel's re-open of a backing file in a caller's open(2) is exactly that.
    {
        CredsGuard guard(as(kProbeOpener, true));
        if (guard.error() == 0) {
            // Some storage opens lazily and judges at the first write (EIO then): write a byte.
            auto fd = sys::open_at(dir, "owner", O_WRONLY | O_NOFOLLOW);
            const int error = !fd ? fd.error() : ::write(fd->get(), "x", 1) == 1 ? 0 : errno;
            if (error == 0) {
                t.open_judged_by_storage = Answer::no;
            } else if (error == EACCES || error == EPERM || error == EIO) {
                t.open_judged_by_storage = Answer::yes;
            }
        }
    }
    // O_TMPFILE, xattrs, and rename flags on two plain files.
    auto unnamed = sys::open_at(dir, ".", O_WRONLY | O_TMPFILE, 0600);
    if (unnamed) {
        t.tmpfile = Answer::yes;
    } else if (unnamed.error() == EOPNOTSUPP || unnamed.error() == EISDIR ||
               unnamed.error() == EINVAL) {
        t.tmpfile = Answer::no;
    }
    for (const char* name : {"a", "b"}) {
        auto fd = sys::open_at(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
        if (!fd) return;
        if (name[0] == 'a') {
            const int set = ::fsetxattr(fd->get(), "user.idshift-probe", "1", 1, 0);
            t.user_xattrs = set == 0              ? Answer::yes
                            : errno == EOPNOTSUPP ? Answer::no
                                                  : Answer::unknown;
        }
    }
    t.rename_exchange = rename_answer(dir, RENAME_EXCHANGE);
    t.rename_noreplace = rename_answer(dir, RENAME_NOREPLACE);
}

}  // namespace

Traits probe_readable(int fd) {
    Traits t;
    struct stat st {};
    if (::fstat(fd, &st) == 0) {
        t.dev = st.st_dev;
        t.fine_timestamps = timestamps_answer(st);
    }
    struct statfs fs {};
    if (::fstatfs(fd, &fs) == 0) {
        t.remote_kind = remote_magic(fs.f_type);
        t.writable = (fs.f_flags & ST_RDONLY) == 0;
        if (!t.writable) t.write_error = EROFS;
    }
    t.fstype = fstype_of(t.dev);
    if (t.fstype.empty()) t.fstype = magic_name(fs.f_type);
    t.posix_acl = acl_answer(fd);
    t.handles = handle_answer(fd);
    return t;
}

Traits probe_full(int dir_fd) {
    Traits t = probe_readable(dir_fd);
    if (!t.writable) return t;
    RootTimes times(dir_fd);
    {
        ProbeDir dir(dir_fd, probe_dir_name());
        if (const int e = dir.make(); e != 0) {
            t.writable = false;
            t.write_error = e;
            return t;
        }
        times.probe_made();
        probe_files(dir.get(), t);
        times.probe_removing();
    }  // the probe's directory is gone: its root's times can go back
    if (const int e = times.restore(); e != 0)
        spdlog::debug("probe: the times of SOURCE's root stay as the probe left them: {}",
                      ::strerror(e));
    return t;
}

}  // namespace idshift::fusell::storage

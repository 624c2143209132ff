// init (what is negotiated with the kernel), statfs, access.
#include <fcntl.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include "fs_state.hpp"
#include "idshift/sys/errno.hpp"

namespace idshift::fusell {

void Filesystem::init(fuse_conn_info& conn) {
    const State& s = *state_;
    auto offer = [&conn](unsigned capability) {
        if (conn.capable & capability) conn.want |= capability;
    };
    // The kernel enforces ACLs (translated on the way out) and with them default_permissions,
    // where the storage has them: on storage without, it would ask for them in every permission
    // check and fail it on the storage's EOPNOTSUPP. It then checks modes only.
    if (s.storage.root().adaptation.acls) {
        offer(FUSE_CAP_POSIX_ACL);
    } else {
        conn.want &= ~FUSE_CAP_POSIX_ACL;  // whatever libfuse's defaults had put there
    }
    // With POSIX ACLs the kernel leaves the umask to the filesystem, and DONT_MASK makes sure it
    // never applies it itself: the backing filesystem applies the caller's umask where no
    // default ACL says otherwise (see UmaskGuard).
    offer(FUSE_CAP_DONT_MASK);
    offer(FUSE_CAP_POSIX_LOCKS);
    offer(FUSE_CAP_FLOCK_LOCKS);
    offer(FUSE_CAP_ATOMIC_O_TRUNC);
    offer(FUSE_CAP_READDIRPLUS);
    offer(FUSE_CAP_READDIRPLUS_AUTO);
    offer(FUSE_CAP_PARALLEL_DIROPS);
    offer(FUSE_CAP_ASYNC_READ);
    offer(FUSE_CAP_ASYNC_DIO);
    if (s.options.cache != CacheMode::always) offer(FUSE_CAP_AUTO_INVAL_DATA);
    // The kernel clears set-id bits itself (with a mode change, see attr_ops.cpp).
    conn.want &= ~FUSE_CAP_HANDLE_KILLPRIV;
    // Writeback caching would make the kernel the writer of record (and rules out passthrough).
    conn.want &= ~FUSE_CAP_WRITEBACK_CACHE;
    // Without export support the kernel never looks up "." or "..", which the core refuses.
    conn.want &= ~FUSE_CAP_EXPORT_SUPPORT;
    conn.max_write = s.options.max_write;
    state_->acls_negotiated.store((conn.want & FUSE_CAP_POSIX_ACL) != 0, std::memory_order_relaxed);
    spdlog::debug("fuse: protocol {}.{}, capable {:#x}, want {:#x}, max_write {}", conn.proto_major,
                  conn.proto_minor, conn.capable, conn.want, conn.max_write);
}

Result<struct statvfs> Filesystem::statfs(fuse_ino_t ino) {
    auto node = state_->resolve(ino);
    if (!node) return Errno{node.error()};
    struct statvfs st {};
    if (::fstatvfs(node->get(), &st) != 0) return sys::last_error();
    return st;
}

int Filesystem::access(const Caller& caller, fuse_ino_t ino, int mask) {
    State& s = *state_;
    auto node = s.resolve(ino);
    if (!node) return node.error();
    CredsGuard guard(s.creds(caller));
    if (guard.error() != 0) return guard.error();
    // AT_EACCESS: judge with the fs ids just switched to, not the real uid (which is root).
    const long rc = ::syscall(SYS_faccessat2, node->get(), "", mask,
                              AT_EMPTY_PATH | AT_EACCESS | AT_SYMLINK_NOFOLLOW);
    return sys::errno_of(rc);
}

}  // namespace idshift::fusell

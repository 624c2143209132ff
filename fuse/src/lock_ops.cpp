// getlk, setlk (POSIX record locks) and flock. See posix_locks.hpp for why POSIX locks live on
// per-owner open file descriptions while flock uses the open's own one.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "fs_state.hpp"
#include "idshift/sys/errno.hpp"

namespace idshift::fusell {
namespace {

// An open file description of its own, to carry one lock owner's locks. Opened with the daemon's
// credentials: the kernel has already checked the caller's open, and the lock type against its
// mode. Read-write where possible, so both lock types work.
Result<sys::UniqueFd> open_lock_description(const Node& node, int path_fd) {
    if (S_ISDIR(node.type())) return sys::reopen(path_fd, O_RDONLY | O_DIRECTORY);
    if (!S_ISREG(node.type())) return Errno{ENOLCK};
    auto fd = sys::reopen(path_fd, O_RDWR | O_NONBLOCK);
    if (!fd && (fd.error() == EROFS || fd.error() == EACCES || fd.error() == ETXTBSY)) {
        fd = sys::reopen(path_fd, O_RDONLY | O_NONBLOCK);
    }
    return fd;
}

// The pid of the owner (other than `asking`) holding the lock `conflict`, which blocks a lock of
// type `wanted`; 0 when it is not one of ours (a process using the backing file directly, say).
pid_t holder_of(const PosixLockOwners& owners, std::uint64_t asking, short wanted,
                const struct flock& conflict) {
    for (const auto& holder : owners.others(asking)) {
        struct flock probe = conflict;
        probe.l_type = wanted;
        probe.l_pid = 0;
        if (::fcntl(holder.fd->get(), F_OFD_GETLK, &probe) != 0) continue;
        if (probe.l_type == F_UNLCK || probe.l_start != conflict.l_start ||
            probe.l_len != conflict.l_len) {
            return holder.pid;
        }
    }
    return 0;
}

}  // namespace

Result<struct flock> Filesystem::getlk(std::uint64_t fh, std::uint64_t owner,
                                       const struct flock& lock) {
    State& s = *state_;
    auto file = s.file(fh);
    if (!file) return Errno{file.error()};
    Node& node = *(*file)->node;
    auto path = s.path_fd((*file)->node);
    if (!path) return Errno{path.error()};
    // The question is asked as the owner, whose own locks never conflict. An owner without locks
    // yet asks through a fresh description, which holds none.
    SharedFd fd = node.posix_locks().find(owner);
    if (!fd) {
        auto fresh = open_lock_description(node, (*path)->get());
        if (!fresh) return Errno{s.note_fd_error(fresh.error())};
        fd = std::make_shared<const sys::UniqueFd>(std::move(*fresh));
    }
    struct flock query = lock;
    query.l_pid = 0;  // required by OFD locks
    if (::fcntl(fd->get(), F_OFD_GETLK, &query) != 0) return sys::last_error();
    // OFD locks report no pid (-1). Name the process the way POSIX F_GETLK does: the holder is
    // the owner whose own view of that range shows no conflict (its own locks never conflict).
    query.l_pid = 0;
    if (query.l_type != F_UNLCK) {
        query.l_pid = holder_of(node.posix_locks(), owner, lock.l_type, query);
    }
    return query;
}

int Filesystem::setlk(std::uint64_t fh, std::uint64_t owner, const struct flock& lock, bool sleep) {
    State& s = *state_;
    auto file = s.file(fh);
    if (!file) return file.error();
    Node& node = *(*file)->node;
    if (lock.l_type == F_UNLCK && !node.posix_locks().find(owner)) return 0;  // holds nothing
    auto path = s.path_fd((*file)->node);
    if (!path) return path.error();
    const int path_fd = (*path)->get();
    auto fd = node.posix_locks().get_or_open(
        owner, lock.l_pid, [&]() { return open_lock_description(node, path_fd); });
    if (!fd) return s.note_fd_error(fd.error());
    struct flock request = lock;
    request.l_pid = 0;  // required by OFD locks
    // F_OFD_SETLKW blocks this worker thread until the lock is granted, as a blocking lock
    // blocks its caller; the loop starts more threads meanwhile (up to -o threads).
    return sys::errno_of(::fcntl((*fd)->get(), sleep ? F_OFD_SETLKW : F_OFD_SETLK, &request));
}

int Filesystem::flock(std::uint64_t fh, int operation) {
    auto file = state_->file(fh);
    if (!file) return file.error();
    // Every FUSE open has its own open file description here, so two opens conflict exactly as
    // two native opens would, and a lock ends with the open it was taken through.
    return sys::errno_of(::flock((*file)->fd.get(), operation));
}

}  // namespace idshift::fusell

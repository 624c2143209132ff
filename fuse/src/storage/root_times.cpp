#include "root_times.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>

#include "idshift/fusell/result.hpp"
#include "idshift/sys/errno.hpp"
#include "idshift/sys/files.hpp"

namespace idshift::fusell::storage {
namespace {

bool same(const struct timespec& a, const struct timespec& b) noexcept {
    return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

}  // namespace

RootTimes::RootTimes(int dir_fd) noexcept : dir_fd_(dir_fd) {
    auto st = sys::stat_fd(dir_fd_);
    if (!st) return;
    known_ = true;
    atime_ = st->st_atim;
    mtime_ = st->st_mtim;
}

void RootTimes::probe_made() noexcept {
    auto st = sys::stat_fd(dir_fd_);
    if (!st) {
        only_probe_ = false;
        return;
    }
    made_ = st->st_mtim;
}

void RootTimes::probe_removing() noexcept {
    auto st = sys::stat_fd(dir_fd_);
    if (!st || !same(st->st_mtim, made_)) only_probe_ = false;
}

int RootTimes::restore() noexcept {
    if (!known_ || !only_probe_) return ESTALE;
    auto st = sys::stat_fd(dir_fd_);
    if (!st) return st.error();
    if (same(st->st_mtim, mtime_)) return 0;  // coarse timestamps: nothing moved
    // The probe's rmdir set mtime and ctime to one instant; a root whose ctime moved past it
    // (a chmod, say) was changed by someone else. A change that sets both again in the few
    // syscalls between the rmdir and here cannot be told apart, and is the only one undone.
    if (!same(st->st_mtim, st->st_ctim)) return ESTALE;
    const struct timespec times[2] = {atime_, mtime_};
    // The fd may be O_PATH, which utimensat(fd, NULL) refuses: go through its /proc path.
    const sys::ProcFdPath path(dir_fd_);
    return sys::errno_of(::utimensat(AT_FDCWD, path.c_str(), times, 0));
}

}  // namespace idshift::fusell::storage

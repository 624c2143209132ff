// Filesystem::State::set_owner_after_create (fs_state.hpp): the owner a storage that ignores the
// creator's fsuid/fsgid did not give.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <cstring>

#include "../fs_state.hpp"

namespace idshift::fusell {

void Filesystem::State::set_owner_after_create(const Caller& caller, dev_t dev, int dir_fd,
                                               int inode_fd) noexcept {
    if (caller.ids_withheld || !caller.storage_uid || !caller.storage_gid) return;
    const storage::Entry& entry = storage.find(dev);
    struct stat st {};
    // A symlink keeps what the storage gave it: giving one away may follow it on such storage.
    if (::fstat(inode_fd, &st) != 0 || S_ISLNK(st.st_mode)) return;
    const uid_t uid = idmap::raw(*caller.storage_uid);
    gid_t gid = idmap::raw(*caller.storage_gid);
    struct stat dir {};
    // A set-group-ID directory gives its group, as natively.
    if (::fstat(dir_fd, &dir) == 0 && (dir.st_mode & S_ISGID) != 0) gid = dir.st_gid;
    if (st.st_uid == uid && st.st_gid == gid) return;
    int error = entry.found.chown_error != 0 ? entry.found.chown_error : EPERM;
    if (entry.adaptation.chown_after_create) {
        error = ::fchownat(inode_fd, "", uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) == 0
                    ? 0
                    : errno;
    }
    if (error == 0) {
        // chown(2) as root clears set-id bits; a new file must keep the mode it was made with.
        if ((st.st_mode & (S_ISUID | S_ISGID)) != 0 && !S_ISDIR(st.st_mode)) {
            const sys::ProcFdPath path(inode_fd);
            ::chmod(path.c_str(), st.st_mode & 07777);
        }
        stats.adapted(Adapted::owner_set_after_create);
        return;
    }
    stats.adapted(Adapted::owner_refused);
    const std::size_t slot = error > 0 && error < 134 ? static_cast<std::size_t>(error) : 0;
    if (!owner_refusal_logged[slot].exchange(true, std::memory_order_relaxed)) {
        spdlog::warn(
            "storage {}: cannot give new files their owner ({}); they keep the storage's "
            "(counted as owner-refused; logged once per reason)",
            entry.found.fstype, std::strerror(error));
    }
}

}  // namespace idshift::fusell

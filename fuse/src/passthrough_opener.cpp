#include "idshift/fusell/passthrough_opener.hpp"

#include <sys/stat.h>

namespace idshift::fusell {

// The fd to register as the node's backing file, or -1 for an open that must stay on the daemon's
// path: anything but a regular file (the kernel refuses those anyway), set-id files, and files on
// storage that judges the kernel's re-open of the backing file itself (see storage/).
int PassthroughOpener::backing_candidate(const OpenedFile& file) noexcept {
    struct stat st {};
    if (::fstat(file.fd, &st) != 0) return -1;
    if (!S_ISREG(st.st_mode) || (st.st_mode & (S_ISUID | S_ISGID)) != 0) return -1;
    if (!fs_.passthrough_allowed(st.st_dev)) return -1;
    return file.fd;
}

int PassthroughOpener::reply_open(fuse_req_t req, const OpenedFile& file,
                                  fuse_file_info& fi) noexcept {
    return leases_.reply_open(req, fi, file.ino, backing_candidate(file));
}

int PassthroughOpener::reply_create(fuse_req_t req, const fuse_entry_param& entry,
                                    const OpenedFile& file, fuse_file_info& fi) noexcept {
    return leases_.reply_create(req, entry, fi, file.ino, backing_candidate(file));
}

void PassthroughOpener::released(const OpenedFile& file) noexcept {
    leases_.release(file.fh);
}

void PassthroughOpener::forgotten(fuse_ino_t ino) noexcept {
    backing_.forget(ino);
}

}  // namespace idshift::fusell

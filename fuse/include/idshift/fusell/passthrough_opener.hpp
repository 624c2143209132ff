#pragma once
// The FileOpener of a mount with FUSE passthrough: every open of a regular file takes a lease on
// its node's backing id (fuse/kext's LeaseTable over the connection's BackingRegistry), so that
// read, write and mmap of passthrough files go from the kernel straight to the backing file.
//
// Files that carry a set-user-ID or set-group-ID bit when their node is first opened stay on the
// daemon's path: a passthrough write runs with the credentials the backing file was registered
// with, one set per node, so the backing filesystem could not clear those bits by the rules of
// each writer (a member of the file's group keeps set-group-ID without group execute; host root
// keeps both). On the daemon's path every write names its writer (see file_ops.cpp). So do the
// files of a storage that judges opens itself (Filesystem::passthrough_allowed): the kernel opens
// a backing file anew in each caller's open(2), with the caller's mount-side ids, which such
// storage refuses where they differ from the caller's storage ids (EIO to the caller).
#include "idshift/fusell/file_opener.hpp"
#include "idshift/fusell/filesystem.hpp"
#include "idshift/kext/backing_registry.hpp"
#include "idshift/kext/lease_table.hpp"

namespace idshift::fusell {

class PassthroughOpener final : public FileOpener {
  public:
    // `backing` (kext::Connection::backing()) must outlive the opener, and the opener must be
    // dropped while the session's /dev/fuse fd is still open: dropping it closes every backing
    // id still leased.
    PassthroughOpener(kext::BackingRegistry& backing, Filesystem& fs) noexcept
        : backing_(backing), leases_(backing), fs_(fs) {}

    int reply_open(fuse_req_t req, const OpenedFile& file, fuse_file_info& fi) noexcept override;
    int reply_create(fuse_req_t req, const fuse_entry_param& entry, const OpenedFile& file,
                     fuse_file_info& fi) noexcept override;
    void released(const OpenedFile& file) noexcept override;
    void forgotten(fuse_ino_t ino) noexcept override;

  private:
    int backing_candidate(const OpenedFile& file) noexcept;

    kext::BackingRegistry& backing_;
    kext::LeaseTable leases_;
    Filesystem& fs_;
};

}  // namespace idshift::fusell

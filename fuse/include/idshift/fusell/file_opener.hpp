#pragma once
// The seam where OPEN and CREATE replies are built. The default answers with fuse_reply_open /
// fuse_reply_create; a kernel-protocol module (FUSE passthrough) replaces it to register the
// backing file with the kernel and answer with a backing id instead.
#include <fuse_lowlevel.h>

#include <cstdint>

namespace idshift::fusell {

// One FUSE open as the daemon holds it.
struct OpenedFile {
    fuse_ino_t ino = 0;    // the node opened (passthrough: one backing id per node); nodeids
                           // are never reused, so it identifies the inode for the mount's life
    std::uint64_t fh = 0;  // the fh the kernel will name this open by
    int fd = -1;           // the daemon's open file for it; valid until released() returns
    int flags = 0;         // the open flags as the backing file was opened with them
};

class FileOpener {
  public:
    virtual ~FileOpener() = default;

    // Sends the reply to OPEN; fi.fh is already set. Returns what fuse_reply_open returns: when it
    // fails the open is forgotten (released() is then not called for it).
    virtual int reply_open(fuse_req_t req, const OpenedFile& file, fuse_file_info& fi) noexcept;
    // Sends the reply to CREATE; fi.fh is already set. Same contract as reply_open.
    virtual int reply_create(fuse_req_t req, const fuse_entry_param& entry, const OpenedFile& file,
                             fuse_file_info& fi) noexcept;
    // The kernel released an open whose reply succeeded; file.fd is closed after this returns.
    virtual void released(const OpenedFile& file) noexcept;
    // The kernel forgot node `ino` (its last lookup went); it is never named again.
    virtual void forgotten(fuse_ino_t ino) noexcept;
};

}  // namespace idshift::fusell

#pragma once
// The backing leases of a filesystem's open files, keyed by the fh the kernel names each open by:
// for a filesystem whose file handle objects cannot hold a BackingLease themselves (idshift's
// FileOpener seam hands over the fh, the node and the open fd, then says when the open is
// released). Each call does the whole dance for one open, so the order the kernel demands (id
// registered until the reply is processed, lease dropped when no RELEASE will come) is kept here.
//
// Locking: one mutex per shard, held only for map operations; a lease is always dropped (which may
// close a backing id under the registry's shard lock) after the table's lock is released.

#include <fuse_lowlevel.h>

#include <cstddef>
#include <cstdint>

#include "idshift/kext/backing_registry.hpp"
#include "idshift/kext/reply.hpp"
#include "idshift/sys/sharded_map.hpp"

namespace idshift::fusell::kext {

class LeaseTable {
  public:
    explicit LeaseTable(BackingRegistry& registry) noexcept : registry_(registry) {}
    LeaseTable(const LeaseTable&) = delete;
    LeaseTable& operator=(const LeaseTable&) = delete;

    // Answers OPEN for the open fi.fh of inode `key`, whose backing file is `fd`: acquires the
    // lease, replies (with the backing id, or as libfuse would), and keeps the lease until
    // release(fi.fh). Returns what the reply returned; non-zero means the kernel will never send
    // RELEASE for this open and the lease is already gone. When the table runs out of memory it
    // answers ENOMEM itself and returns -ENOMEM.
    int reply_open(fuse_req_t req, fuse_file_info& fi, InodeKey key, int fd,
                   const ReplyFunctions& send = kLibfuseReplies) noexcept;
    // The same for CREATE.
    int reply_create(fuse_req_t req, const fuse_entry_param& e, fuse_file_info& fi, InodeKey key,
                     int fd, const ReplyFunctions& send = kLibfuseReplies) noexcept;

    // RELEASE of `fh`: drops its lease, closing the inode's backing id after its last passthrough
    // open. Unknown fh values are ignored.
    void release(std::uint64_t fh) noexcept;

    // Open files holding a lease.
    [[nodiscard]] std::size_t size() const noexcept;

  private:
    static constexpr std::size_t kShards = 16;

    // Acquires and stores the lease of fi.fh, then sends the reply through `reply`.
    template <typename SendReply>
    int lease_and_reply(fuse_req_t req, fuse_file_info& fi, InodeKey key, int fd,
                        const ReplyFunctions& send, SendReply reply) noexcept;

    BackingRegistry& registry_;
    sys::ShardedMap<std::uint64_t, BackingLease, kShards> leases_;
};

}  // namespace idshift::fusell::kext

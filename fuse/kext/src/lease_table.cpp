#include "idshift/kext/lease_table.hpp"

#include <cerrno>
#include <new>
#include <utility>

namespace idshift::fusell::kext {

template <typename SendReply>
int LeaseTable::lease_and_reply(fuse_req_t req, fuse_file_info& fi, InodeKey key, int fd,
                                const ReplyFunctions& send, SendReply reply) noexcept {
    int backing_id = 0;
    try {
        BackingLease lease = registry_.acquire(key, fd);
        backing_id = lease.backing_id();
        // A lease this replaces (an fh the kernel reused without RELEASE) drops here, unlocked.
        (void)leases_.insert_or_assign(fi.fh, std::move(lease));
    } catch (const std::bad_alloc&) {
        send.reply_err(req, ENOMEM);
        return -ENOMEM;
    }
    // The lease is stored before the reply goes out: the id stays registered while the kernel
    // processes the reply, and a RELEASE racing in right after it finds the lease to drop.
    const int rc = reply(backing_id);
    if (rc != 0) release(fi.fh);
    return rc;
}

int LeaseTable::reply_open(fuse_req_t req, fuse_file_info& fi, InodeKey key, int fd,
                           const ReplyFunctions& send) noexcept {
    return lease_and_reply(req, fi, key, fd, send,
                           [&](int id) { return kext::reply_open(req, &fi, id, send); });
}

int LeaseTable::reply_create(fuse_req_t req, const fuse_entry_param& e, fuse_file_info& fi,
                             InodeKey key, int fd, const ReplyFunctions& send) noexcept {
    return lease_and_reply(req, fi, key, fd, send,
                           [&](int id) { return kext::reply_create(req, &e, &fi, id, send); });
}

void LeaseTable::release(std::uint64_t fh) noexcept {
    // The lease releases here, outside the table's lock.
    (void)leases_.erase(fh);
}

std::size_t LeaseTable::size() const noexcept {
    return leases_.size();
}

}  // namespace idshift::fusell::kext

#pragma once
// OPEN and CREATE replies that carry a passthrough backing id. libfuse 3.14's fuse_file_info has no
// backing_id, so these replies are built by hand and sent with fuse_reply_iov(). With backing id 0
// they are libfuse's own fuse_reply_open / fuse_reply_create, unchanged.
//
// With a backing id, only FOPEN_DIRECT_IO and FOPEN_NOFLUSH survive from `fi`: the kernel fails the
// open with EIO on any flag outside FOPEN_PASSTHROUGH_MASK, so keep_cache, nonseekable and
// cache_readdir are dropped. (direct_io with passthrough is the kernel's "mmap-only passthrough":
// read and write then still come to the daemon.)

#include <fuse_lowlevel.h>
#include <sys/uio.h>

#include "idshift/kext/wire.hpp"

namespace idshift::fusell::kext {

// The libfuse calls the builders end in. Tests pass fakes to capture the bytes.
struct ReplyFunctions {
    int (*reply_iov)(fuse_req_t req, const iovec* iov, int count);
    int (*reply_open)(fuse_req_t req, const fuse_file_info* fi);
    int (*reply_create)(fuse_req_t req, const fuse_entry_param* e, const fuse_file_info* fi);
    int (*reply_err)(fuse_req_t req, int err);
};
inline constexpr ReplyFunctions kLibfuseReplies{fuse_reply_iov, fuse_reply_open, fuse_reply_create,
                                                fuse_reply_err};

// The fuse_open_out for a passthrough open: fi->fh, FOPEN_PASSTHROUGH plus the allowed flags of
// `fi`, and the id.
[[nodiscard]] wire::OpenOut encode_open(const fuse_file_info& fi, int backing_id) noexcept;

// fuse_entry_out filled exactly as libfuse's fuse_reply_create does, followed by encode_open().
[[nodiscard]] wire::CreateOut encode_create(const fuse_entry_param& e, const fuse_file_info& fi,
                                            int backing_id) noexcept;

// Replies to OPEN. backing_id comes from BackingLease::backing_id(); the lease must still be held
// (the id registered) while this runs. Returns what libfuse returns: 0, or -errno when the reply
// could not be sent, in which case the kernel will not send RELEASE and the caller drops the lease.
int reply_open(fuse_req_t req, const fuse_file_info* fi, int backing_id,
               const ReplyFunctions& send = kLibfuseReplies) noexcept;

// Replies to CREATE, as reply_open().
int reply_create(fuse_req_t req, const fuse_entry_param* e, const fuse_file_info* fi,
                 int backing_id, const ReplyFunctions& send = kLibfuseReplies) noexcept;

}  // namespace idshift::fusell::kext

#include "idshift/kext/reply.hpp"

#include <climits>

namespace idshift::fusell::kext {
namespace {

// libfuse's calc_timeout_sec / calc_timeout_nsec, so a hand-built entry matches a libfuse one.
std::uint64_t timeout_sec(double t) noexcept {
    if (t > static_cast<double>(ULONG_MAX)) return ULONG_MAX;
    if (t < 0.0) return 0;
    return static_cast<std::uint64_t>(t);
}

std::uint32_t timeout_nsec(double t) noexcept {
    const double fraction = t - static_cast<double>(timeout_sec(t));
    if (fraction < 0.0) return 0;
    if (fraction >= 0.999999999) return 999999999;
    return static_cast<std::uint32_t>(fraction * 1.0e9);
}

fuse_attr encode_attr(const struct stat& st) noexcept {
    fuse_attr attr{};
    attr.ino = st.st_ino;
    attr.mode = st.st_mode;
    attr.nlink = static_cast<std::uint32_t>(st.st_nlink);
    attr.uid = st.st_uid;
    attr.gid = st.st_gid;
    attr.rdev = static_cast<std::uint32_t>(st.st_rdev);
    attr.size = static_cast<std::uint64_t>(st.st_size);
    attr.blksize = static_cast<std::uint32_t>(st.st_blksize);
    attr.blocks = static_cast<std::uint64_t>(st.st_blocks);
    attr.atime = static_cast<std::uint64_t>(st.st_atim.tv_sec);
    attr.mtime = static_cast<std::uint64_t>(st.st_mtim.tv_sec);
    attr.ctime = static_cast<std::uint64_t>(st.st_ctim.tv_sec);
    attr.atimensec = static_cast<std::uint32_t>(st.st_atim.tv_nsec);
    attr.mtimensec = static_cast<std::uint32_t>(st.st_mtim.tv_nsec);
    attr.ctimensec = static_cast<std::uint32_t>(st.st_ctim.tv_nsec);
    return attr;
}

}  // namespace

wire::OpenOut encode_open(const fuse_file_info& fi, int backing_id) noexcept {
    wire::OpenOut out{};
    out.fh = fi.fh;
    out.open_flags = wire::kFopenPassthrough;
    if (fi.direct_io) out.open_flags |= FOPEN_DIRECT_IO;
    if (fi.noflush) out.open_flags |= FOPEN_NOFLUSH;
    out.backing_id = backing_id;
    return out;
}

wire::CreateOut encode_create(const fuse_entry_param& e, const fuse_file_info& fi,
                              int backing_id) noexcept {
    wire::CreateOut out{};
    out.entry.nodeid = e.ino;
    out.entry.generation = e.generation;
    out.entry.entry_valid = timeout_sec(e.entry_timeout);
    out.entry.entry_valid_nsec = timeout_nsec(e.entry_timeout);
    out.entry.attr_valid = timeout_sec(e.attr_timeout);
    out.entry.attr_valid_nsec = timeout_nsec(e.attr_timeout);
    out.entry.attr = encode_attr(e.attr);
    out.open = encode_open(fi, backing_id);
    return out;
}

int reply_open(fuse_req_t req, const fuse_file_info* fi, int backing_id,
               const ReplyFunctions& send) noexcept {
    if (backing_id <= 0) return send.reply_open(req, fi);
    wire::OpenOut out = encode_open(*fi, backing_id);
    const iovec iov{&out, sizeof(out)};
    return send.reply_iov(req, &iov, 1);
}

int reply_create(fuse_req_t req, const fuse_entry_param* e, const fuse_file_info* fi,
                 int backing_id, const ReplyFunctions& send) noexcept {
    if (backing_id <= 0) return send.reply_create(req, e, fi);
    // Protocol minors below 9 used a shorter entry; every kernel with passthrough is far past that.
    wire::CreateOut out = encode_create(*e, *fi, backing_id);
    const iovec iov{&out, sizeof(out)};
    return send.reply_iov(req, &iov, 1);
}

}  // namespace idshift::fusell::kext

// Callbacks for operations on open directories: decode, call the Filesystem, answer once.
#include <vector>

#include "trampolines.hpp"

namespace idshift::fusell::ll {
namespace {

void read_directory(fuse_req_t req, size_t size, off_t off, fuse_file_info* fi, bool plus,
                    OpName op) noexcept {
    Reply reply(req, op);
    answer_guarded(reply, [&] {
        Filesystem& fs = fs_of(req);
        std::vector<char> buffer(size);
        auto used = fs.readdir(caller_of(req, fs), fi->fh, buffer, off, plus);
        if (!used) return (void)reply.err(used.error());
        reply.buf(buffer.data(), *used);
    });
}

}  // namespace

void fsyncdir(fuse_req_t req, fuse_ino_t, int datasync, fuse_file_info* fi) noexcept {
    Reply reply(req, "fsyncdir");
    answer_guarded(reply, [&] { reply.err(fs_of(req).fsyncdir(fi->fh, datasync != 0)); });
}

void opendir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) noexcept {
    Reply reply(req, "opendir");
    answer_guarded(reply, [&] {
        Filesystem& fs = fs_of(req);
        auto fh = fs.opendir(caller_of(req, fs), ino);
        if (!fh) return (void)reply.err(fh.error());
        fi->fh = *fh;
        if (reply.open(*fi) != 0) fs.releasedir(*fh);  // the kernel never saw this open
    });
}

void readdir(fuse_req_t req, fuse_ino_t, size_t size, off_t off, fuse_file_info* fi) noexcept {
    read_directory(req, size, off, fi, false, "readdir");
}

void readdirplus(fuse_req_t req, fuse_ino_t, size_t size, off_t off, fuse_file_info* fi) noexcept {
    read_directory(req, size, off, fi, true, "readdirplus");
}

void releasedir(fuse_req_t req, fuse_ino_t, fuse_file_info* fi) noexcept {
    Reply reply(req, "releasedir");
    fs_of(req).releasedir(fi->fh);
    reply.err(0);
}

}  // namespace idshift::fusell::ll

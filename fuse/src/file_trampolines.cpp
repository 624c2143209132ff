// Callbacks for operations on open files: decode, call the Filesystem, answer once.
#include "idshift/kext/connection.hpp"
#include "trampolines.hpp"

namespace idshift::fusell::ll {

void copy_file_range(fuse_req_t req, fuse_ino_t, off_t off_in, fuse_file_info* fi_in, fuse_ino_t,
                     off_t off_out, fuse_file_info* fi_out, size_t len, int flags) noexcept {
    Reply reply(req, "copy_file_range");
    answer_guarded(reply, [&] {
        auto copied =
            fs_of(req).copy_file_range(fi_in->fh, off_in, fi_out->fh, off_out, len, flags);
        if (!copied) return (void)reply.err(copied.error());
        reply.write(*copied);
    });
}

void create(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode,
            fuse_file_info* fi) noexcept {
    Reply reply(req, "create");
    answer_guarded(reply, [&] {
        Filesystem& fs = fs_of(req);
        auto created = fs.create(caller_of(req, fs), parent, name, mode, fi->flags,
                                 kext::current_request().kill_suidgid);
        if (!created) return (void)reply.err(created.error());
        fi->fh = created->fh;
        fi->keep_cache = fs.options().keep_cache();
        if (fs.opener().reply_create(reply.release(), created->entry, created->file, *fi) != 0) {
            // The kernel never saw the open or the entry: undo both.
            fs.release(created->fh, false);
            fs.forget(created->entry.ino, 1);
        }
    });
}

void fallocate(fuse_req_t req, fuse_ino_t, int mode, off_t offset, off_t length,
               fuse_file_info* fi) noexcept {
    Reply reply(req, "fallocate");
    answer_guarded(reply, [&] {
        Filesystem& fs = fs_of(req);
        const Caller caller = caller_of(req, fs);
        reply.err(fs.fallocate(fi->fh, mode, offset, length, &caller));
    });
}

void flock(fuse_req_t req, fuse_ino_t, fuse_file_info* fi, int op) noexcept {
    Reply reply(req, "flock");
    answer_guarded(reply, [&] { reply.err(fs_of(req).flock(fi->fh, op)); });
}

void flush(fuse_req_t req, fuse_ino_t, fuse_file_info* fi) noexcept {
    Reply reply(req, "flush");
    answer_guarded(reply, [&] { reply.err(fs_of(req).flush(fi->fh, fi->lock_owner)); });
}

void fsync(fuse_req_t req, fuse_ino_t, int datasync, fuse_file_info* fi) noexcept {
    Reply reply(req, "fsync");
    answer_guarded(reply, [&] { reply.err(fs_of(req).fsync(fi->fh, datasync != 0)); });
}

void getlk(fuse_req_t req, fuse_ino_t, fuse_file_info* fi, struct flock* lock) noexcept {
    Reply reply(req, "getlk");
    answer_guarded(reply, [&] {
        auto found = fs_of(req).getlk(fi->fh, fi->lock_owner, *lock);
        if (!found) return (void)reply.err(found.error());
        reply.lock(*found);
    });
}

void lseek(fuse_req_t req, fuse_ino_t, off_t off, int whence, fuse_file_info* fi) noexcept {
    Reply reply(req, "lseek");
    answer_guarded(reply, [&] {
        auto position = fs_of(req).lseek(fi->fh, off, whence);
        if (!position) return (void)reply.err(position.error());
        reply.lseek(*position);
    });
}

void open(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) noexcept {
    Reply reply(req, "open");
    answer_guarded(reply, [&] {
        Filesystem& fs = fs_of(req);
        auto opened =
            fs.open(caller_of(req, fs), ino, fi->flags, kext::current_request().kill_suidgid);
        if (!opened) return (void)reply.err(opened.error());
        fi->fh = opened->fh;
        fi->keep_cache = opened->keep_cache;
        if (fs.opener().reply_open(reply.release(), opened->file, *fi) != 0) {
            fs.release(opened->fh, false);  // the kernel never saw this open
        }
    });
}

void read(fuse_req_t req, fuse_ino_t, size_t size, off_t off, fuse_file_info* fi) noexcept {
    Reply reply(req, "read");
    answer_guarded(reply, [&] {
        auto data = fs_of(req).read(fi->fh, size, off);
        if (!data) return (void)reply.err(data.error());
        reply.buf(data->data(), data->size());
    });
}

void release(fuse_req_t req, fuse_ino_t, fuse_file_info* fi) noexcept {
    Reply reply(req, "release");
    // Closing the open's own file description also drops any flock() taken through it.
    fs_of(req).release(fi->fh);
    reply.err(0);
}

void setlk(fuse_req_t req, fuse_ino_t, fuse_file_info* fi, struct flock* lock, int sleep) noexcept {
    Reply reply(req, "setlk");
    answer_guarded(reply,
                   [&] { reply.err(fs_of(req).setlk(fi->fh, fi->lock_owner, *lock, sleep != 0)); });
}

void write_buf(fuse_req_t req, fuse_ino_t, fuse_bufvec* bufv, off_t off,
               fuse_file_info* fi) noexcept {
    Reply reply(req, "write_buf");
    answer_guarded(reply, [&] {
        Filesystem& fs = fs_of(req);
        // FUSE_WRITE_KILL_SUIDGID (KILLPRIV_V2): the writer lacks CAP_FSETID. libfuse 3.14 drops
        // the write flags; the kext read hook keeps them for this thread.
        std::optional<Caller> writer;
        if (kext::current_request().kill_suidgid) writer = caller_of(req, fs);
        auto written = fs.write_buf(fi->fh, *bufv, off, writer ? &*writer : nullptr);
        if (!written) return (void)reply.err(written.error());
        reply.write(*written);
    });
}

}  // namespace idshift::fusell::ll

#pragma once
// The libfuse callbacks (operations.cpp puts them in the table). Each is noexcept, answers its
// request exactly once through a Reply and lets no exception escape (boundary.hpp).
#include <fuse_lowlevel.h>

#include <optional>

#include "boundary.hpp"
#include "idshift/fusell/filesystem.hpp"
#include "reply.hpp"
#include "request.hpp"

namespace idshift::fusell::ll {

inline Filesystem& fs_of(fuse_req_t req) noexcept {
    return *static_cast<Filesystem*>(fuse_req_userdata(req));
}

inline std::optional<std::uint64_t> fh_of(const fuse_file_info* fi) noexcept {
    return fi ? std::optional<std::uint64_t>(fi->fh) : std::nullopt;
}

// Answers with the entry, or the error. When the answer does not reach the kernel (the request
// was interrupted) the kernel holds no reference, so the lookup is undone.
inline void reply_entry(Reply& reply, Filesystem& fs, const Result<fuse_entry_param>& entry) {
    if (!entry) {
        reply.err(entry.error());
        return;
    }
    if (reply.entry(*entry) != 0 && entry->ino != 0) fs.forget(entry->ino, 1);
}

// getxattr / listxattr: with a requested size of 0 the answer is the length, else the bytes.
inline void reply_xattr(Reply& reply, std::size_t requested, const Result<XattrReply>& value) {
    if (!value) {
        reply.err(value.error());
        return;
    }
    if (requested == 0) {
        reply.xattr(value->size);
        return;
    }
    reply.buf(value->data.data(), value->data.size());
}

inline void reply_attr(Reply& reply, const Result<AttrReply>& attr) {
    if (!attr) {
        reply.err(attr.error());
        return;
    }
    reply.attr(attr->attr, attr->timeout);
}

// node_trampolines.cpp
void access(fuse_req_t req, fuse_ino_t ino, int mask) noexcept;
void forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup) noexcept;
void forget_multi(fuse_req_t req, size_t count, fuse_forget_data* forgets) noexcept;
void getattr(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) noexcept;
void getxattr(fuse_req_t req, fuse_ino_t ino, const char* name, size_t size) noexcept;
void link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char* newname) noexcept;
void listxattr(fuse_req_t req, fuse_ino_t ino, size_t size) noexcept;
void lookup(fuse_req_t req, fuse_ino_t parent, const char* name) noexcept;
void mkdir(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode) noexcept;
void mknod(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, dev_t rdev) noexcept;
void readlink(fuse_req_t req, fuse_ino_t ino) noexcept;
void removexattr(fuse_req_t req, fuse_ino_t ino, const char* name) noexcept;
void rename(fuse_req_t req, fuse_ino_t parent, const char* name, fuse_ino_t newparent,
            const char* newname, unsigned int flags) noexcept;
void rmdir(fuse_req_t req, fuse_ino_t parent, const char* name) noexcept;
void setattr(fuse_req_t req, fuse_ino_t ino, struct stat* attr, int to_set,
             fuse_file_info* fi) noexcept;
void setxattr(fuse_req_t req, fuse_ino_t ino, const char* name, const char* value, size_t size,
              int flags) noexcept;
void statfs(fuse_req_t req, fuse_ino_t ino) noexcept;
void symlink(fuse_req_t req, const char* link, fuse_ino_t parent, const char* name) noexcept;
void unlink(fuse_req_t req, fuse_ino_t parent, const char* name) noexcept;

// file_trampolines.cpp
void copy_file_range(fuse_req_t req, fuse_ino_t ino_in, off_t off_in, fuse_file_info* fi_in,
                     fuse_ino_t ino_out, off_t off_out, fuse_file_info* fi_out, size_t len,
                     int flags) noexcept;
void create(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode,
            fuse_file_info* fi) noexcept;
void fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t offset, off_t length,
               fuse_file_info* fi) noexcept;
void flock(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi, int op) noexcept;
void flush(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) noexcept;
void fsync(fuse_req_t req, fuse_ino_t ino, int datasync, fuse_file_info* fi) noexcept;
void getlk(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi, struct flock* lock) noexcept;
void lseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence, fuse_file_info* fi) noexcept;
void open(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) noexcept;
void read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi) noexcept;
void release(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) noexcept;
void setlk(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi, struct flock* lock,
           int sleep) noexcept;
void write_buf(fuse_req_t req, fuse_ino_t ino, fuse_bufvec* bufv, off_t off,
               fuse_file_info* fi) noexcept;

// dir_trampolines.cpp
void fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync, fuse_file_info* fi) noexcept;
void opendir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) noexcept;
void readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi) noexcept;
void readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                 fuse_file_info* fi) noexcept;
void releasedir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) noexcept;

}  // namespace idshift::fusell::ll

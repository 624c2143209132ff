// Callbacks for operations on names and inodes: decode, call the Filesystem, answer once.
#include "trampolines.hpp"

namespace idshift::fusell::ll {

void access(fuse_req_t req, fuse_ino_t ino, int mask) noexcept {
    Reply reply(req, "access");
    answer_guarded(reply, [&] {
        Filesystem& fs = fs_of(req);
        reply.err(fs.access(caller_of(req, fs), ino, mask));
    });
}

void forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup) noexcept {
    Reply reply(req, "forget");
    fs_of(req).forget(ino, nlookup);
    reply.none();
}

void forget_multi(fuse_req_t req, size_t count, fuse_forget_data* forgets) noexcept {
    Reply reply(req, "forget_multi");
    Filesystem& fs = fs_of(req);
    for (size_t i = 0; i < count; ++i)
        fs.forget(forgets[i].ino, forgets[i].nlookup);
    reply.none();
}

void getattr(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) noexcept {
    Reply reply(req, "getattr");
    answer_guarded(reply, [&] {
        Filesystem& fs = fs_of(req);
        reply_attr(reply, fs.getattr(ino, fh_of(fi)));
    });
}

void getxattr(fuse_req_t req, fuse_ino_t ino, const char* name, size_t size) noexcept {
    Reply reply(req, "getxattr");
    answer_guarded(reply, [&] {
        Filesystem& fs = fs_of(req);
        reply_xattr(reply, size, fs.getxattr(caller_of(req, fs), ino, name, size));
    });
}

void link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char* newname) noexcept {
    Reply reply(req, "link");
    answer_guarded(reply, [&] {
        Filesystem& fs = fs_of(req);
        reply_entry(reply, fs, fs.link(caller_of(req, fs), ino, newparent, newname));
    });
}

void listxattr(fuse_req_t req, fuse_ino_t ino, size_t size) noexcept {
    Reply reply(req, "listxattr");
    answer_guarded(reply, [&] {
        Filesystem& fs = fs_of(req);
        reply_xattr(reply, size, fs.listxattr(caller_of(req, fs), ino, size));
    });
}

void lookup(fuse_req_t req, fuse_ino_t parent, const char* name) noexcept {
    Reply reply(req, "lookup");
    answer_guarded(reply, [&] {
        Filesystem& fs = fs_of(req);
        reply_entry(reply, fs, fs.lookup(caller_of(req, fs), parent, name));
    });
}

void mkdir(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode) noexcept {
    Reply reply(req, "mkdir");
    answer_guarded(reply, [&] {
        Filesystem& fs = fs_of(req);
        reply_entry(reply, fs, fs.mkdir(caller_of(req, fs), parent, name, mode));
    });
}

void mknod(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, dev_t rdev) noexcept {
    Reply reply(req, "mknod");
    answer_guarded(reply, [&] {
        Filesystem& fs = fs_of(req);
        reply_entry(reply, fs, fs.mknod(caller_of(req, fs), parent, name, mode, rdev));
    });
}

void readlink(fuse_req_t req, fuse_ino_t ino) noexcept {
    Reply reply(req, "readlink");
    answer_guarded(reply, [&] {
        Filesystem& fs = fs_of(req);
        auto target = fs.readlink(ino);
        if (!target) return (void)reply.err(target.error());
        reply.readlink(target->c_str());
    });
}

void removexattr(fuse_req_t req, fuse_ino_t ino, const char* name) noexcept {
    Reply reply(req, "removexattr");
    answer_guarded(reply, [&] {
        Filesystem& fs = fs_of(req);
        reply.err(fs.removexattr(caller_of(req, fs), ino, name));
    });
}

void rename(fuse_req_t req, fuse_ino_t parent, const char* name, fuse_ino_t newparent,
            const char* newname, unsigned int flags) noexcept {
    Reply reply(req, "rename");
    answer_guarded(reply, [&] {
        Filesystem& fs = fs_of(req);
        reply.err(fs.rename(caller_of(req, fs), parent, name, newparent, newname, flags));
    });
}

void rmdir(fuse_req_t req, fuse_ino_t parent, const char* name) noexcept {
    Reply reply(req, "rmdir");
    answer_guarded(reply, [&] {
        Filesystem& fs = fs_of(req);
        reply.err(fs.rmdir(caller_of(req, fs), parent, name));
    });
}

void setattr(fuse_req_t req, fuse_ino_t ino, struct stat* attr, int to_set,
             fuse_file_info* fi) noexcept {
    Reply reply(req, "setattr");
    answer_guarded(reply, [&] {
        Filesystem& fs = fs_of(req);
        reply_attr(reply, fs.setattr(caller_of(req, fs), ino, *attr, to_set, fh_of(fi)));
    });
}

void setxattr(fuse_req_t req, fuse_ino_t ino, const char* name, const char* value, size_t size,
              int flags) noexcept {
    Reply reply(req, "setxattr");
    answer_guarded(reply, [&] {
        Filesystem& fs = fs_of(req);
        reply.err(fs.setxattr(caller_of(req, fs), ino, name, {value, size}, flags));
    });
}

void statfs(fuse_req_t req, fuse_ino_t ino) noexcept {
    Reply reply(req, "statfs");
    answer_guarded(reply, [&] {
        Filesystem& fs = fs_of(req);
        auto st = fs.statfs(ino);
        if (!st) return (void)reply.err(st.error());
        reply.statfs(*st);
    });
}

void symlink(fuse_req_t req, const char* link, fuse_ino_t parent, const char* name) noexcept {
    Reply reply(req, "symlink");
    answer_guarded(reply, [&] {
        Filesystem& fs = fs_of(req);
        reply_entry(reply, fs, fs.symlink(caller_of(req, fs), link, parent, name));
    });
}

void unlink(fuse_req_t req, fuse_ino_t parent, const char* name) noexcept {
    Reply reply(req, "unlink");
    answer_guarded(reply, [&] {
        Filesystem& fs = fs_of(req);
        reply.err(fs.unlink(caller_of(req, fs), parent, name));
    });
}

}  // namespace idshift::fusell::ll

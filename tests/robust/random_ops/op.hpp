#pragma once
// One generated operation, applied identically to the native directory and to the mount.
#include <sys/types.h>
#include <time.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "outcome.hpp"
#include "tree_snapshot.hpp"

namespace idshift::robust {

enum class OpKind {
    create,
    write,
    truncate,
    fallocate,
    punch_hole,
    rename,
    link,
    unlink,
    chmod,
    chown,
    setxattr,
    removexattr,
    mmap_write,
    fsync,
    mkdir,
    rmdir,
    symlink,
    readlink,
    mkfifo,
    utimens,
};

// utimensat's two times: a value, or UTIME_NOW / UTIME_OMIT in tv_nsec.
struct OpTimes {
    timespec atime{};
    timespec mtime{};
};

struct Op {
    OpKind kind = OpKind::create;
    std::string path;    // relative to the root
    std::string target;  // rename/link destination; symlink: the link's (relative) target
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
    std::uint32_t mode = 0;  // create/mkdir/chmod mode; fallocate mode bits
    uid_t uid = 0;
    gid_t gid = 0;
    unsigned flags = 0;           // rename flags, setxattr flags, open O_EXCL, msync
    std::string name;             // xattr name
    std::uint64_t data_seed = 0;  // the bytes written derive from this
    OpTimes times;                // utimens
};

// "write a/b off=4096 len=100 seed=…", for failure reports and --trace.
std::string describe(const Op& op);
// A path the operation may have changed, and what of it to look at: content only after data
// changes, xattrs only after xattr changes, entries only of the parents of namespace changes.
// The periodic full compare looks at everything.
struct Touch {
    std::string path;
    CaptureOptions capture;
    // utimens: compare the times it set explicitly (not UTIME_NOW, whose value differs between
    // the sides, nor UTIME_OMIT). Only right after the call: anything later may move them.
    bool atime = false;
    bool mtime = false;
};
std::vector<Touch> touched_paths(const Op& op);
// Applies the operation below `root` with the calling process's credentials.
Outcome apply(const Op& op, const std::filesystem::path& root);

}  // namespace idshift::robust

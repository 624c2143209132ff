// The operation table: alphabetical, one operation per line.
//
// Left out on purpose, so libfuse answers ENOSYS (the kernel then stops asking, or falls back):
//   bmap           only for block-device-backed filesystems (fuseblk)
//   ioctl          no ioctl is forwarded: an ioctl on the backing file would run with the
//                  daemon's privileges and could not be translated generically
//   poll           regular files are always ready
//   retrieve_reply the daemon never stores into the kernel's page cache
//   write          write_buf serves every write
//   tmpfile        not in libfuse 3.14's table: O_TMPFILE on the mount fails with EOPNOTSUPP
#include "idshift/fusell/operations.hpp"

#include "trampolines.hpp"

namespace idshift::fusell {
namespace {

void init(void* userdata, fuse_conn_info* conn) noexcept {
    errno_boundary("init", [&] { static_cast<Filesystem*>(userdata)->init(*conn); });
}

}  // namespace

const fuse_lowlevel_ops& operations() noexcept {
    static constexpr fuse_lowlevel_ops table = [] {
        fuse_lowlevel_ops ops{};
        ops.access = ll::access;
        ops.copy_file_range = ll::copy_file_range;
        ops.create = ll::create;
        ops.fallocate = ll::fallocate;
        ops.flock = ll::flock;
        ops.flush = ll::flush;
        ops.forget = ll::forget;
        ops.forget_multi = ll::forget_multi;
        ops.fsync = ll::fsync;
        ops.fsyncdir = ll::fsyncdir;
        ops.getattr = ll::getattr;
        ops.getlk = ll::getlk;
        ops.getxattr = ll::getxattr;
        ops.init = init;
        ops.link = ll::link;
        ops.listxattr = ll::listxattr;
        ops.lookup = ll::lookup;
        ops.lseek = ll::lseek;
        ops.mkdir = ll::mkdir;
        ops.mknod = ll::mknod;
        ops.open = ll::open;
        ops.opendir = ll::opendir;
        ops.read = ll::read;
        ops.readdir = ll::readdir;
        ops.readdirplus = ll::readdirplus;
        ops.readlink = ll::readlink;
        ops.release = ll::release;
        ops.releasedir = ll::releasedir;
        ops.removexattr = ll::removexattr;
        ops.rename = ll::rename;
        ops.rmdir = ll::rmdir;
        ops.setattr = ll::setattr;
        ops.setlk = ll::setlk;
        ops.setxattr = ll::setxattr;
        ops.statfs = ll::statfs;
        ops.symlink = ll::symlink;
        ops.unlink = ll::unlink;
        ops.write_buf = ll::write_buf;
        return ops;
    }();
    return table;
}

}  // namespace idshift::fusell

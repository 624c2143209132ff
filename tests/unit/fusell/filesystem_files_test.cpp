// The Filesystem core on a temporary directory: data, locks, extended attributes.
// [root]: the cases that act as another caller (each request switches fsuid/fsgid and groups)
// need root; as another user they skip, not fail.
#include <fcntl.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "fs_fixture.hpp"

using namespace idshift::fusell;
using namespace idshift::fusell::testing;

namespace {

void write_backing(const std::string& path, const std::string& content) {
    std::ofstream(path, std::ios::binary) << content;
}

std::string read_backing(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

fuse_bufvec memory_buffer(const std::string& data) {
    fuse_bufvec vec{};
    vec.count = 1;
    vec.buf[0].size = data.size();
    vec.buf[0].mem = const_cast<char*>(data.data());
    vec.buf[0].fd = -1;
    return vec;
}

struct flock range_lock(short type, off_t start, off_t length) {
    struct flock lock {};
    lock.l_type = type;
    lock.l_whence = SEEK_SET;
    lock.l_start = start;
    lock.l_len = length;
    return lock;
}

// ACL xattr blob: le32 version 2, then {le16 tag, le16 perm, le32 id} entries (x86 is little
// endian, so plain stores are the wire format).
std::vector<char> acl_blob(std::uint32_t user_id) {
    struct Entry {
        std::uint16_t tag, perm;
        std::uint32_t id;
    };
    const Entry entries[] = {{0x01, 6, 0xFFFFFFFF},
                             {0x02, 4, user_id},
                             {0x04, 4, 0xFFFFFFFF},
                             {0x10, 4, 0xFFFFFFFF},
                             {0x20, 4, 0xFFFFFFFF}};
    std::vector<char> blob(4 + sizeof entries);
    const std::uint32_t version = 2;
    std::memcpy(blob.data(), &version, 4);
    std::memcpy(blob.data() + 4, entries, sizeof entries);
    return blob;
}

std::uint32_t acl_user_id(const std::vector<char>& blob) {
    std::uint32_t id = 0;
    std::memcpy(&id, blob.data() + 4 + 8 + 4, 4);  // second entry's id
    return id;
}

}  // namespace

TEST_CASE("open, write and read go to the backing file", "[root]") {
    FsFixture f;
    write_backing(f.backing("a"), "hello world");
    const auto a = f.lookup("a");
    auto opened = f.fs().open(f.root(), a.ino, O_RDWR);
    REQUIRE(opened.ok());
    CHECK(opened->file.ino == a.ino);
    auto data = f.fs().read(opened->fh, 5, 6);
    REQUIRE(data.ok());
    CHECK(std::string(data->data(), data->size()) == "world");
    const std::string text = "HELLO";
    fuse_bufvec in = memory_buffer(text);
    auto written = f.fs().write_buf(opened->fh, in, 0);
    REQUIRE(written.ok());
    CHECK(*written == 5);
    CHECK(read_backing(f.backing("a")) == "HELLO world");
    CHECK(f.fs().flush(opened->fh, 1) == 0);
    CHECK(f.fs().fsync(opened->fh, true) == 0);
    f.fs().release(opened->fh, false);
    CHECK(f.fs().read(opened->fh, 1, 0).error() == EBADF);
}

TEST_CASE("O_DIRECT opens keep O_DIRECT and still write from unaligned request buffers", "[root]") {
    FsFixture f;
    write_backing(f.backing("direct"), std::string(8192, 'x'));
    const auto entry = f.lookup("direct");
    auto opened = f.fs().open(f.root(), entry.ino, O_RDWR | O_DIRECT);
    REQUIRE(opened.ok());
    CHECK((::fcntl(opened->file.fd, F_GETFL) & O_DIRECT) != 0);
    const std::string block(4096 + 1, 'y');
    fuse_bufvec in = memory_buffer(block);
    in.buf[0].mem = const_cast<char*>(block.data()) + 1;  // deliberately misaligned
    in.buf[0].size = 4096;
    auto written = f.fs().write_buf(opened->fh, in, 4096);
    REQUIRE(written.ok());
    CHECK(*written == 4096);
    auto data = f.fs().read(opened->fh, 4096, 4096);
    REQUIRE(data.ok());
    CHECK(std::string(data->data(), data->size()) == std::string(4096, 'y'));
    f.fs().release(opened->fh, false);
}

TEST_CASE("create returns an entry and an open file for the same inode", "[root]") {
    FsFixture f;
    auto created = f.fs().create(f.root(), FUSE_ROOT_ID, "new", 0640, O_RDWR | O_EXCL);
    REQUIRE(created.ok());
    CHECK(created->entry.attr.st_ino == f.backing_stat("new").st_ino);
    CHECK(created->file.ino == created->entry.ino);
    CHECK(f.lookup("new").ino == created->entry.ino);
    CHECK(f.fs().create(f.root(), FUSE_ROOT_ID, "new", 0640, O_RDWR | O_EXCL).error() == EEXIST);
    f.fs().release(created->fh, false);
}

TEST_CASE("POSIX locks: two owners conflict, one owner's locks merge, flush releases them",
          "[root]") {
    FsFixture f;
    write_backing(f.backing("locked"), std::string(100, 'x'));
    const auto entry = f.lookup("locked");
    auto first = f.fs().open(f.root(), entry.ino, O_RDWR);
    auto second = f.fs().open(f.root(), entry.ino, O_RDWR);
    REQUIRE(first.ok());
    REQUIRE(second.ok());
    const std::uint64_t owner_a = 0xA, owner_b = 0xB;

    struct flock first_lock = range_lock(F_WRLCK, 0, 10);
    first_lock.l_pid = 4242;  // the kernel sends the locking process's pid
    REQUIRE(f.fs().setlk(first->fh, owner_a, first_lock, false) == 0);
    // The same owner through another open: no conflict (POSIX locks belong to the owner).
    CHECK(f.fs().setlk(second->fh, owner_a, range_lock(F_WRLCK, 5, 10), false) == 0);
    // Another owner conflicts, through either open.
    CHECK(f.fs().setlk(second->fh, owner_b, range_lock(F_WRLCK, 12, 1), false) == EAGAIN);
    CHECK(f.fs().setlk(first->fh, owner_b, range_lock(F_RDLCK, 0, 1), false) == EAGAIN);
    CHECK(f.fs().setlk(first->fh, owner_b, range_lock(F_WRLCK, 50, 10), false) == 0);

    auto probe = f.fs().getlk(first->fh, owner_b, range_lock(F_WRLCK, 0, 100));
    REQUIRE(probe.ok());
    CHECK(probe->l_type == F_WRLCK);
    CHECK(probe->l_start == 0);
    CHECK(probe->l_len == 15);    // owner A's two locks merged into one
    CHECK(probe->l_pid == 4242);  // and the holder is named, as F_GETLK does natively
    auto own = f.fs().getlk(first->fh, owner_a, range_lock(F_WRLCK, 0, 15));
    REQUIRE(own.ok());
    CHECK(own->l_type == F_UNLCK);  // one's own locks never conflict

    // FLUSH of owner A (its close()) releases all of A's locks.
    CHECK(f.fs().flush(second->fh, owner_a) == 0);
    CHECK(f.fs().setlk(first->fh, owner_b, range_lock(F_WRLCK, 0, 10), false) == 0);

    // Unlocking part of a range splits it.
    CHECK(f.fs().setlk(first->fh, owner_b, range_lock(F_UNLCK, 0, 5), false) == 0);
    CHECK(f.fs().setlk(second->fh, owner_a, range_lock(F_WRLCK, 0, 5), false) == 0);
    CHECK(f.fs().setlk(second->fh, owner_a, range_lock(F_WRLCK, 5, 1), false) == EAGAIN);

    f.fs().release(first->fh, false);
    f.fs().release(second->fh, false);
    // The last release dropped every owner's description: a new open finds the file unlocked.
    auto third = f.fs().open(f.root(), entry.ino, O_RDWR);
    REQUIRE(third.ok());
    CHECK(f.fs().setlk(third->fh, 0xC, range_lock(F_WRLCK, 0, 100), false) == 0);
    f.fs().release(third->fh, false);
}

TEST_CASE("flock: two opens conflict like two native opens, and releasing the open unlocks",
          "[root]") {
    FsFixture f;
    write_backing(f.backing("f"), "x");
    const auto entry = f.lookup("f");
    auto first = f.fs().open(f.root(), entry.ino, O_RDONLY);
    auto second = f.fs().open(f.root(), entry.ino, O_RDONLY);
    REQUIRE(first.ok());
    REQUIRE(second.ok());
    CHECK(f.fs().flock(first->fh, LOCK_EX | LOCK_NB) == 0);
    CHECK(f.fs().flock(second->fh, LOCK_EX | LOCK_NB) == EWOULDBLOCK);
    CHECK(f.fs().flock(second->fh, LOCK_SH | LOCK_NB) == EWOULDBLOCK);
    f.fs().release(first->fh, false);
    CHECK(f.fs().flock(second->fh, LOCK_EX | LOCK_NB) == 0);
    f.fs().release(second->fh, false);
}

TEST_CASE("fallocate punches holes and lseek finds data and holes", "[root]") {
    FsFixture f;
    write_backing(f.backing("sparse"), std::string(3 * 65536, 'x'));
    const auto entry = f.lookup("sparse");
    auto opened = f.fs().open(f.root(), entry.ino, O_RDWR);
    REQUIRE(opened.ok());
    REQUIRE(f.fs().fallocate(opened->fh, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 65536) ==
            0);
    auto data = f.fs().lseek(opened->fh, 0, SEEK_DATA);
    REQUIRE(data.ok());
    CHECK(*data == 65536);
    auto hole = f.fs().lseek(opened->fh, 65536, SEEK_HOLE);
    REQUIRE(hole.ok());
    CHECK(*hole == 3 * 65536);
    CHECK(f.backing_stat("sparse").st_size == 3 * 65536);
    f.fs().release(opened->fh, false);
}

TEST_CASE("copy_file_range copies between two opens", "[root]") {
    FsFixture f;
    write_backing(f.backing("src"), "0123456789");
    write_backing(f.backing("dst"), "");
    auto in = f.fs().open(f.root(), f.lookup("src").ino, O_RDONLY);
    auto out = f.fs().open(f.root(), f.lookup("dst").ino, O_WRONLY);
    REQUIRE(in.ok());
    REQUIRE(out.ok());
    auto copied = f.fs().copy_file_range(in->fh, 2, out->fh, 0, 5, 0);
    REQUIRE(copied.ok());
    CHECK(*copied == 5);
    CHECK(read_backing(f.backing("dst")) == "23456");
    f.fs().release(in->fh, false);
    f.fs().release(out->fh, false);
}

TEST_CASE("getattr through an open file works after the file is unlinked", "[root]") {
    FsFixture f;
    write_backing(f.backing("gone"), "abc");
    const auto entry = f.lookup("gone");
    auto opened = f.fs().open(f.root(), entry.ino, O_RDONLY);
    REQUIRE(opened.ok());
    REQUIRE(f.fs().unlink(f.root(), FUSE_ROOT_ID, "gone") == 0);
    auto attr = f.fs().getattr(entry.ino, opened->fh);
    REQUIRE(attr.ok());
    CHECK(attr->attr.st_nlink == 0);
    CHECK(attr->attr.st_size == 3);
    f.fs().release(opened->fh, false);
}

TEST_CASE("ACL xattrs are translated: mount ids in, storage ids stored, mount ids out", "[root]") {
    FsFixture f;
    write_backing(f.backing("acl"), "");
    const auto entry = f.lookup("acl");
    const std::vector<char> blob = acl_blob(kMountUser + 3);
    REQUIRE(f.fs().setxattr(f.root(), entry.ino, "system.posix_acl_access", blob, 0) == 0);

    std::vector<char> stored(blob.size());
    REQUIRE(::getxattr(f.backing("acl").c_str(), "system.posix_acl_access", stored.data(),
                       stored.size()) == static_cast<ssize_t>(blob.size()));
    CHECK(acl_user_id(stored) == kStorageUser + 3);

    auto size = f.fs().getxattr(f.root(), entry.ino, "system.posix_acl_access", 0);
    REQUIRE(size.ok());
    CHECK(size->size == blob.size());
    auto shown = f.fs().getxattr(f.root(), entry.ino, "system.posix_acl_access", 256);
    REQUIRE(shown.ok());
    REQUIRE(shown->data.size() == blob.size());
    CHECK(acl_user_id(shown->data) == kMountUser + 3);

    // An id the map cannot express is refused, and nothing changes on the backing file.
    CHECK(f.fs().setxattr(f.root(), entry.ino, "system.posix_acl_access", acl_blob(kUnmapped), 0) ==
          EINVAL);
    REQUIRE(::getxattr(f.backing("acl").c_str(), "system.posix_acl_access", stored.data(),
                       stored.size()) > 0);
    CHECK(acl_user_id(stored) == kStorageUser + 3);
}

TEST_CASE("other xattrs pass through untouched, and list and remove work", "[root]") {
    FsFixture f;
    write_backing(f.backing("x"), "");
    const auto entry = f.lookup("x");
    const std::string value = "value";
    REQUIRE(f.fs().setxattr(f.root(), entry.ino, "user.test", {value.data(), value.size()},
                            XATTR_CREATE) == 0);
    CHECK(f.fs().setxattr(f.root(), entry.ino, "user.test", {value.data(), value.size()},
                          XATTR_CREATE) == EEXIST);
    auto got = f.fs().getxattr(f.root(), entry.ino, "user.test", 64);
    REQUIRE(got.ok());
    CHECK(std::string(got->data.begin(), got->data.end()) == "value");
    CHECK(f.fs().getxattr(f.root(), entry.ino, "user.test", 2).error() == ERANGE);
    auto names = f.fs().listxattr(f.root(), entry.ino, 256);
    REQUIRE(names.ok());
    CHECK(std::string(names->data.begin(), names->data.end()).find("user.test") !=
          std::string::npos);
    CHECK(f.fs().removexattr(f.root(), entry.ino, "user.test") == 0);
    CHECK(f.fs().getxattr(f.root(), entry.ino, "user.test", 64).error() == ENODATA);
}

TEST_CASE("access judges as the caller", "[root]") {
    FsFixture f;
    write_backing(f.backing("private"), "");
    REQUIRE(::chmod(f.backing("private").c_str(), 0600) == 0);
    const auto entry = f.lookup("private");
    CHECK(f.fs().access(f.root(), entry.ino, R_OK | W_OK) == 0);
    CHECK(f.fs().access(f.caller(kMountUser, kMountUser), entry.ino, R_OK) == EACCES);
}

// The Filesystem core on a temporary directory: names, ownership both ways, nodes.
// [root]: the cases that give files storage owners (chown) or act as another caller (each
// request switches fsuid/fsgid and groups) need root; as another user they skip, not fail.
#include <dirent.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <cstdio>
#include <map>
#include <string>

#include "fs_fixture.hpp"

using namespace idshift::fusell;
using namespace idshift::fusell::testing;

namespace {

void make_file(const std::string& path, uid_t uid, gid_t gid, mode_t mode = 0644) {
    const int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, mode);
    REQUIRE(fd >= 0);
    ::close(fd);
    REQUIRE(::chown(path.c_str(), uid, gid) == 0);
}

// Entries of a readdir buffer: name → (d_ino, type).
std::map<std::string, std::pair<std::uint64_t, unsigned>> parse_dirents(
    const std::vector<char>& buf, std::size_t used) {
    std::map<std::string, std::pair<std::uint64_t, unsigned>> out;
    std::size_t pos = 0;
    while (pos < used) {
        const auto* d = reinterpret_cast<const fuse_dirent*>(buf.data() + pos);
        out[std::string(d->name, d->namelen)] = {d->ino, d->type};
        pos += FUSE_DIRENT_SIZE(d);
    }
    return out;
}

// Entries of a readdirplus buffer: name → entry_out.
std::map<std::string, fuse_entry_out> parse_direntplus(const std::vector<char>& buf,
                                                       std::size_t used) {
    std::map<std::string, fuse_entry_out> out;
    std::size_t pos = 0;
    while (pos < used) {
        const auto* d = reinterpret_cast<const fuse_direntplus*>(buf.data() + pos);
        out[std::string(d->dirent.name, d->dirent.namelen)] = d->entry_out;
        pos += FUSE_DIRENTPLUS_SIZE(d);
    }
    return out;
}

}  // namespace

TEST_CASE("lookup reports storage owners as mount owners and keeps the backing inode number",
          "[root]") {
    FsFixture f;
    make_file(f.backing("mapped"), kStorageUser + 5, kStorageUser + 3);
    make_file(f.backing("unmapped"), 7777, 7777);
    const auto mapped = f.lookup("mapped");
    CHECK(mapped.attr.st_uid == kMountUser + 5);
    CHECK(mapped.attr.st_gid == kMountUser + 3);
    CHECK(mapped.attr.st_ino == f.backing_stat("mapped").st_ino);
    CHECK(mapped.ino != FUSE_ROOT_ID);
    const auto unmapped = f.lookup("unmapped");
    CHECK(unmapped.attr.st_uid == 65534);
    CHECK(unmapped.attr.st_gid == 65534);
    auto attr = f.fs().getattr(mapped.ino, std::nullopt);
    REQUIRE(attr.ok());
    CHECK(attr->attr.st_uid == kMountUser + 5);
}

TEST_CASE("lookup of a missing name is ENOENT, and bad names are refused before any syscall",
          "[root]") {
    FsFixture f;
    CHECK(f.fs().lookup(f.root(), FUSE_ROOT_ID, "missing").error() == ENOENT);
    CHECK(f.fs().lookup(f.root(), FUSE_ROOT_ID, "..").error() == EINVAL);
    CHECK(f.fs().lookup(f.root(), FUSE_ROOT_ID, ".").error() == EINVAL);
    CHECK(f.fs().lookup(f.root(), FUSE_ROOT_ID, "etc/passwd").error() == EINVAL);
    CHECK(f.fs().lookup(f.root(), FUSE_ROOT_ID, "").error() == ENOENT);
}

TEST_CASE("a nodeid the kernel never got, or forgot, is ESTALE", "[root]") {
    FsFixture f;
    CHECK(f.fs().getattr(0xdead0000, std::nullopt).error() == ESTALE);
    make_file(f.backing("a"), 0, 0);
    const auto entry = f.lookup("a");
    f.fs().forget(entry.ino, 1);
    CHECK(f.fs().getattr(entry.ino, std::nullopt).error() == ESTALE);
}

TEST_CASE("new inodes are owned by the caller's storage ids, stamped by the backing fs", "[root]") {
    FsFixture f;
    const Caller user = f.caller(kMountUser, kMountUser, 022);
    REQUIRE(::chmod(f.dir().c_str(), 0777) == 0);

    auto dir = f.fs().mkdir(user, FUSE_ROOT_ID, "d", 0777);
    REQUIRE(dir.ok());
    CHECK(dir->attr.st_uid == kMountUser);
    CHECK(dir->attr.st_gid == kMountUser);
    CHECK(f.backing_stat("d").st_uid == kStorageUser);
    CHECK(f.backing_stat("d").st_gid == kStorageUser);
    CHECK((f.backing_stat("d").st_mode & 07777) == 0755);  // the caller's umask applied

    auto file = f.fs().create(user, dir->ino, "f", 0666, O_WRONLY);
    REQUIRE(file.ok());
    CHECK(f.backing_stat("d/f").st_uid == kStorageUser);
    CHECK((f.backing_stat("d/f").st_mode & 07777) == 0644);
    f.fs().release(file->fh, false);

    auto node = f.fs().mknod(user, dir->ino, "fifo", S_IFIFO | 0640, 0);
    REQUIRE(node.ok());
    CHECK(S_ISFIFO(f.backing_stat("d/fifo").st_mode));
    CHECK(f.backing_stat("d/fifo").st_uid == kStorageUser);

    auto link = f.fs().symlink(user, "../elsewhere", dir->ino, "sym");
    REQUIRE(link.ok());
    CHECK(f.backing_stat("d/sym").st_uid == kStorageUser);
    CHECK(link->attr.st_uid == kMountUser);
}

TEST_CASE("a caller whose ids the map cannot express creates nothing (EOVERFLOW)", "[root]") {
    FsFixture f;
    REQUIRE(::chmod(f.dir().c_str(), 0777) == 0);
    const Caller stranger = f.caller(kUnmapped, kUnmapped);
    CHECK(f.fs().mkdir(stranger, FUSE_ROOT_ID, "d", 0755).error() == EOVERFLOW);
    CHECK(f.fs().create(stranger, FUSE_ROOT_ID, "f", 0644, O_WRONLY).error() == EOVERFLOW);
    CHECK(f.fs().mknod(stranger, FUSE_ROOT_ID, "n", S_IFIFO | 0644, 0).error() == EOVERFLOW);
    CHECK(f.fs().symlink(stranger, "x", FUSE_ROOT_ID, "s").error() == EOVERFLOW);
    CHECK_FALSE(f.backing_exists("d"));
    CHECK_FALSE(f.backing_exists("f"));
    CHECK_FALSE(f.backing_exists("n"));
    CHECK_FALSE(f.backing_exists("s"));
    // A mapped uid with an unmapped gid is refused the same way.
    CHECK(f.fs().mkdir(f.caller(kMountUser, kUnmapped), FUSE_ROOT_ID, "d", 0755).error() ==
          EOVERFLOW);
}

TEST_CASE("the backing fs judges a non-root caller as that user", "[root]") {
    FsFixture f;
    REQUIRE(::chmod(f.dir().c_str(), 0755) == 0);  // owned by root: others may not write
    const Caller user = f.caller(kMountUser, kMountUser);
    CHECK(f.fs().mkdir(user, FUSE_ROOT_ID, "d", 0755).error() == EACCES);
    make_file(f.backing("root-only"), 0, 0, 0600);
    const auto entry = f.lookup("root-only");
    CHECK(f.fs().open(user, entry.ino, O_RDONLY).error() == EACCES);
    auto as_root = f.fs().open(f.root(), entry.ino, O_RDONLY);
    REQUIRE(as_root.ok());
    f.fs().release(as_root->fh, false);
}

TEST_CASE("hard links share one node, and forget frees it when the last lookup goes", "[root]") {
    FsFixture f;
    make_file(f.backing("a"), 0, 0);
    const std::size_t before = f.fs().node_count();
    const auto a = f.lookup("a");
    auto b = f.fs().link(f.root(), a.ino, FUSE_ROOT_ID, "b");
    REQUIRE(b.ok());
    CHECK(b->ino == a.ino);
    CHECK(f.backing_stat("b").st_ino == f.backing_stat("a").st_ino);
    CHECK(f.lookup("b").ino == a.ino);
    CHECK(f.fs().node_count() == before + 1);
    f.fs().forget(a.ino, 3);  // lookup a, link, lookup b
    CHECK(f.fs().node_count() == before);
}

TEST_CASE("a symlink is text: never followed, never opened", "[root]") {
    FsFixture f;
    REQUIRE(::symlink("/etc/shadow", f.backing("shadow").c_str()) == 0);
    REQUIRE(::symlink("../../..", f.backing("up").c_str()) == 0);
    const auto shadow = f.lookup("shadow");
    CHECK(S_ISLNK(shadow.attr.st_mode));
    auto target = f.fs().readlink(shadow.ino);
    REQUIRE(target.ok());
    CHECK(*target == "/etc/shadow");
    CHECK(f.fs().open(f.root(), shadow.ino, O_RDONLY).error() == ELOOP);
    CHECK(f.fs().opendir(f.root(), f.lookup("up").ino).error() == ENOTDIR);
    CHECK(f.fs().lookup(f.root(), f.lookup("up").ino, "etc").error() == ENOTDIR);
}

TEST_CASE("create over a symlink that points outside fails and creates nothing outside", "[root]") {
    FsFixture f;
    char outside[] = "/var/tmp/idshift-outside-XXXXXX";
    REQUIRE(::mkdtemp(outside) != nullptr);
    const std::string victim = std::string(outside) + "/victim";
    REQUIRE(::symlink(victim.c_str(), f.backing("escape").c_str()) == 0);
    CHECK(f.fs().create(f.root(), FUSE_ROOT_ID, "escape", 0644, O_WRONLY).error() == ELOOP);
    struct stat st {};
    CHECK(::lstat(victim.c_str(), &st) == -1);
    ::rmdir(outside);
}

TEST_CASE("chown maps mount ids to storage ids, and -1 keeps, and an unmapped id is EOVERFLOW",
          "[root]") {
    FsFixture f;
    make_file(f.backing("a"), 0, 0);
    const auto a = f.lookup("a");
    struct stat attr {};
    attr.st_uid = kMountUser + 4;
    attr.st_gid = kMountUser + 6;
    auto changed =
        f.fs().setattr(f.root(), a.ino, attr, FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID, std::nullopt);
    REQUIRE(changed.ok());
    CHECK(changed->attr.st_uid == kMountUser + 4);
    CHECK(changed->attr.st_gid == kMountUser + 6);
    CHECK(f.backing_stat("a").st_uid == kStorageUser + 4);
    CHECK(f.backing_stat("a").st_gid == kStorageUser + 6);

    attr.st_gid = 0;  // only the group changes
    REQUIRE(f.fs().setattr(f.root(), a.ino, attr, FUSE_SET_ATTR_GID, std::nullopt).ok());
    CHECK(f.backing_stat("a").st_uid == kStorageUser + 4);
    CHECK(f.backing_stat("a").st_gid == 0);

    attr.st_uid = kUnmapped;
    CHECK(f.fs().setattr(f.root(), a.ino, attr, FUSE_SET_ATTR_UID, std::nullopt).error() ==
          EOVERFLOW);
    CHECK(f.backing_stat("a").st_uid == kStorageUser + 4);
}

TEST_CASE("setattr changes mode, size and times, and UTIME_OMIT leaves a time alone", "[root]") {
    FsFixture f;
    make_file(f.backing("a"), 0, 0);
    REQUIRE(::truncate(f.backing("a").c_str(), 100) == 0);
    const auto a = f.lookup("a");
    struct stat attr {};
    attr.st_mode = 0600;
    attr.st_size = 10;
    attr.st_mtim = timespec{1000000000, 5};
    auto changed =
        f.fs().setattr(f.root(), a.ino, attr,
                       FUSE_SET_ATTR_MODE | FUSE_SET_ATTR_SIZE | FUSE_SET_ATTR_MTIME, std::nullopt);
    REQUIRE(changed.ok());
    const struct stat st = f.backing_stat("a");
    CHECK((st.st_mode & 07777) == 0600);
    CHECK(st.st_size == 10);
    CHECK(st.st_mtim.tv_sec == 1000000000);
    CHECK(st.st_mtim.tv_nsec == 5);
    const timespec atime_before = st.st_atim;
    attr.st_mtim = timespec{1100000000, 0};
    REQUIRE(f.fs().setattr(f.root(), a.ino, attr, FUSE_SET_ATTR_MTIME, std::nullopt).ok());
    CHECK(f.backing_stat("a").st_atim.tv_sec == atime_before.tv_sec);
    CHECK(f.backing_stat("a").st_atim.tv_nsec == atime_before.tv_nsec);
    CHECK(f.backing_stat("a").st_mtim.tv_sec == 1100000000);
}

TEST_CASE("a mode change that only clears set-id bits works for any caller", "[root]") {
    FsFixture f;
    make_file(f.backing("suid"), kStorageUser + 1, kStorageUser + 1, 04755);
    REQUIRE(::chmod(f.backing("suid").c_str(), 06755) == 0);
    const auto entry = f.lookup("suid");
    struct stat attr {};
    attr.st_mode = 0755;  // what the kernel sends after a write by a non-owner
    REQUIRE(f.fs()
                .setattr(f.caller(kMountUser, kMountUser), entry.ino, attr, FUSE_SET_ATTR_MODE,
                         std::nullopt)
                .ok());
    CHECK((f.backing_stat("suid").st_mode & 07777) == 0755);
    // Any other change by a non-owner is the backing fs's to refuse.
    attr.st_mode = 0777;
    CHECK(f.fs()
              .setattr(f.caller(kMountUser, kMountUser), entry.ino, attr, FUSE_SET_ATTR_MODE,
                       std::nullopt)
              .error() == EPERM);
}

TEST_CASE("rename honours RENAME_NOREPLACE and RENAME_EXCHANGE", "[root]") {
    FsFixture f;
    make_file(f.backing("a"), kStorageUser, 0);
    make_file(f.backing("b"), kStorageUser + 1, 0);
    CHECK(f.fs().rename(f.root(), FUSE_ROOT_ID, "a", FUSE_ROOT_ID, "b", RENAME_NOREPLACE) ==
          EEXIST);
    CHECK(f.fs().rename(f.root(), FUSE_ROOT_ID, "a", FUSE_ROOT_ID, "b", RENAME_EXCHANGE) == 0);
    CHECK(f.backing_stat("a").st_uid == kStorageUser + 1);
    CHECK(f.backing_stat("b").st_uid == kStorageUser);
    CHECK(f.fs().rename(f.root(), FUSE_ROOT_ID, "a", FUSE_ROOT_ID, "c", 0) == 0);
    CHECK_FALSE(f.backing_exists("a"));
    CHECK(f.backing_exists("c"));
    CHECK(f.fs().rename(f.root(), FUSE_ROOT_ID, "c", FUSE_ROOT_ID, "../x", 0) == EINVAL);
    CHECK(f.fs().rename(f.root(), FUSE_ROOT_ID, "c", FUSE_ROOT_ID, "d", 1U << 7) == EINVAL);
}

TEST_CASE("unlink and rmdir remove as the caller", "[root]") {
    FsFixture f;
    make_file(f.backing("a"), 0, 0);
    REQUIRE(::mkdir(f.backing("d").c_str(), 0755) == 0);
    CHECK(f.fs().unlink(f.root(), FUSE_ROOT_ID, "d") == EISDIR);
    CHECK(f.fs().rmdir(f.root(), FUSE_ROOT_ID, "a") == ENOTDIR);
    CHECK(f.fs().unlink(f.root(), FUSE_ROOT_ID, "a") == 0);
    CHECK(f.fs().rmdir(f.root(), FUSE_ROOT_ID, "d") == 0);
    CHECK_FALSE(f.backing_exists("a"));
    CHECK_FALSE(f.backing_exists("d"));
}

TEST_CASE("readdir lists every entry with its backing inode number and type", "[root]") {
    FsFixture f;
    make_file(f.backing("file"), 0, 0);
    REQUIRE(::mkdir(f.backing("dir").c_str(), 0755) == 0);
    auto fh = f.fs().opendir(f.root(), FUSE_ROOT_ID);
    REQUIRE(fh.ok());
    std::vector<char> buffer(4096);
    auto used = f.fs().readdir(f.root(), *fh, buffer, 0, false);
    REQUIRE(used.ok());
    const auto entries = parse_dirents(buffer, *used);
    REQUIRE(entries.size() == 4);
    CHECK(entries.at("file").first == f.backing_stat("file").st_ino);
    CHECK(entries.at("file").second == DT_REG);
    CHECK(entries.at("dir").second == DT_DIR);
    CHECK(entries.count(".") == 1);
    CHECK(entries.count("..") == 1);
    auto rest = f.fs().readdir(f.root(), *fh, buffer, 0x7fffffffffffffff, false);
    REQUIRE(rest.ok());
    CHECK(*rest == 0);
    f.fs().releasedir(*fh);
}

TEST_CASE("readdir resumes where a full buffer stopped, without losing or repeating entries",
          "[root]") {
    FsFixture f;
    for (int i = 0; i < 200; ++i)
        make_file(f.backing("file-" + std::to_string(i)), 0, 0);
    auto fh = f.fs().opendir(f.root(), FUSE_ROOT_ID);
    REQUIRE(fh.ok());
    std::map<std::string, int> seen;
    off_t offset = 0;
    std::vector<char> buffer(256);  // a few entries per call
    for (;;) {
        auto used = f.fs().readdir(f.root(), *fh, buffer, offset, false);
        REQUIRE(used.ok());
        if (*used == 0) break;
        std::size_t pos = 0;
        while (pos < *used) {
            const auto* d = reinterpret_cast<const fuse_dirent*>(buffer.data() + pos);
            ++seen[std::string(d->name, d->namelen)];
            offset = static_cast<off_t>(d->off);
            pos += FUSE_DIRENT_SIZE(d);
        }
    }
    CHECK(seen.size() == 202);
    for (const auto& [name, count] : seen)
        CHECK(count == 1);
    f.fs().releasedir(*fh);
}

TEST_CASE("readdirplus looks entries up with mapped owners and counts the lookups", "[root]") {
    FsFixture f;
    make_file(f.backing("owned"), kStorageUser + 2, kStorageUser + 2);
    auto fh = f.fs().opendir(f.root(), FUSE_ROOT_ID);
    REQUIRE(fh.ok());
    std::vector<char> buffer(8192);
    auto used = f.fs().readdir(f.root(), *fh, buffer, 0, true);
    REQUIRE(used.ok());
    const auto entries = parse_direntplus(buffer, *used);
    REQUIRE(entries.count("owned") == 1);
    const fuse_entry_out& owned = entries.at("owned");
    CHECK(owned.attr.uid == kMountUser + 2);
    CHECK(owned.attr.gid == kMountUser + 2);
    CHECK(owned.attr.ino == f.backing_stat("owned").st_ino);
    CHECK(owned.nodeid != 0);
    CHECK(entries.at(".").nodeid == 0);  // dot entries come without a lookup
    // The entry holds a lookup the kernel will forget.
    CHECK(f.lookup("owned").ino == owned.nodeid);
    const std::size_t with = f.fs().node_count();
    f.fs().forget(owned.nodeid, 2);
    CHECK(f.fs().node_count() == with - 1);
    f.fs().releasedir(*fh);
}

TEST_CASE("statfs answers for the backing filesystem") {
    FsFixture f;
    auto st = f.fs().statfs(FUSE_ROOT_ID);
    REQUIRE(st.ok());
    struct statvfs native {};
    REQUIRE(::statvfs(f.dir().c_str(), &native) == 0);
    CHECK(st->f_bsize == native.f_bsize);
    CHECK(st->f_blocks == native.f_blocks);
}

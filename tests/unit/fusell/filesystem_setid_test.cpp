// The Filesystem core's share of FUSE_HANDLE_KILLPRIV_V2 (clearing suid/sgid where the kernel
// leaves it to the filesystem) and of FUSE_ALLOW_IDMAP (requests whose caller the kernel
// withholds).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <string>

#include "fs_fixture.hpp"

using namespace idshift::fusell;
using namespace idshift::fusell::testing;

namespace {

constexpr gid_t kMountTeam = 1005;  // storage 2005
constexpr gid_t kStorageTeam = 2005;

// A backing file owned by root:team with `mode` and eight bytes, set exactly (no umask).
void make_setid_file(FsFixture& f, const std::string& name, mode_t mode) {
    const int fd = ::open(f.backing(name).c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
    REQUIRE(fd >= 0);
    REQUIRE(::write(fd, "12345678", 8) == 8);
    REQUIRE(::fchown(fd, 0, kStorageTeam) == 0);
    REQUIRE(::fchmod(fd, mode) == 0);
    ::close(fd);
}

mode_t backing_mode(const FsFixture& f, const std::string& name) {
    return f.backing_stat(name).st_mode & 07777;
}

fuse_bufvec one_byte() {
    static char byte = 'X';
    fuse_bufvec vec{};
    vec.count = 1;
    vec.buf[0].size = 1;
    vec.buf[0].mem = &byte;
    vec.buf[0].fd = -1;
    return vec;
}

// Opens `name` for writing as root and writes one byte as `writer` (nullptr: no kill flag).
mode_t mode_after_write(FsFixture& f, const std::string& name, const Caller* writer) {
    const auto entry = f.lookup(name);
    auto opened = f.fs().open(f.root(), entry.ino, O_WRONLY);
    REQUIRE(opened.ok());
    fuse_bufvec data = one_byte();
    auto written = f.fs().write_buf(opened->fh, data, 0, writer);
    REQUIRE(written.ok());
    CHECK(*written == 1);
    f.fs().release(opened->fh, false);
    return backing_mode(f, name);
}

}  // namespace

TEST_CASE("a flagged write clears suid/sgid by the writer's own group membership", "[root]") {
    FsFixture f;
    make_setid_file(f, "sgid_nox", 02767);
    make_setid_file(f, "both", 06777);
    const Caller outsider = f.caller(kMountUser, kMountUser);
    const Caller member = f.caller(kMountUser, kMountUser, 022, {kMountTeam});

    CHECK(mode_after_write(f, "sgid_nox", &member) == 02767);  // a member keeps it, natively too
    // With group execute, set-group-ID goes for every writer without CAP_FSETID, as suid does.
    CHECK(mode_after_write(f, "both", &member) == 0777);
    CHECK(mode_after_write(f, "sgid_nox", &outsider) == 0767);
    make_setid_file(f, "suid", 04777);
    CHECK(mode_after_write(f, "suid", &outsider) == 0777);
}

TEST_CASE("an unflagged write (the writer holds CAP_FSETID) keeps suid/sgid", "[root]") {
    FsFixture f;
    make_setid_file(f, "both", 06777);
    CHECK(mode_after_write(f, "both", nullptr) == 06777);
}

TEST_CASE("fallocate of a set-id file clears the bits for a user and keeps them for root",
          "[root]") {
    FsFixture f;
    make_setid_file(f, "user", 02767);
    make_setid_file(f, "root", 06777);
    const Caller user = f.caller(kMountUser, kMountUser);
    const Caller root = f.root();
    for (const auto& [name, caller] : {std::pair{"user", &user}, std::pair{"root", &root}}) {
        auto opened = f.fs().open(root, f.lookup(name).ino, O_WRONLY);
        REQUIRE(opened.ok());
        CHECK(f.fs().fallocate(opened->fh, 0, 0, 65536, caller) == 0);
        f.fs().release(opened->fh, false);
    }
    CHECK(backing_mode(f, "user") == 0767);
    CHECK(backing_mode(f, "root") == 06777);
    CHECK(f.backing_stat("user").st_size == 65536);
}

TEST_CASE("an O_TRUNC open the kernel flags clears suid even for a storage-root caller", "[root]") {
    FsFixture f;
    make_setid_file(f, "flagged", 04777);
    make_setid_file(f, "unflagged", 04777);
    auto flagged = f.fs().open(f.root(), f.lookup("flagged").ino, O_WRONLY | O_TRUNC, true);
    REQUIRE(flagged.ok());
    f.fs().release(flagged->fh, false);
    auto unflagged = f.fs().open(f.root(), f.lookup("unflagged").ino, O_WRONLY | O_TRUNC);
    REQUIRE(unflagged.ok());
    f.fs().release(unflagged->fh, false);
    CHECK(backing_mode(f, "flagged") == 0777);
    CHECK(backing_mode(f, "unflagged") == 04777);
    CHECK(f.backing_stat("flagged").st_size == 0);
}

TEST_CASE("a caller whose ids the kernel withholds (ALLOW_IDMAP) acts as the daemon", "[root]") {
    FsFixture f;
    const Caller withheld = f.caller(static_cast<uid_t>(-1), static_cast<gid_t>(-1));
    CHECK(withheld.ids_withheld);
    CHECK_FALSE(f.root().ids_withheld);
    REQUIRE(::mkdir(f.backing("d").c_str(), 0755) == 0);  // root's, closed to everyone else
    make_setid_file(f, "f", 0644);
    const auto d = f.lookup("d");
    const auto file = f.lookup("f");

    auto linked = f.fs().link(withheld, file.ino, d.ino, "hard");
    REQUIRE(linked.ok());
    CHECK(f.backing_stat("d/hard").st_uid == 0);
    // As a mapped user the backing filesystem refuses what the kernel would have refused.
    const Caller user = f.caller(kMountUser, kMountUser);
    CHECK(f.fs().unlink(user, d.ino, "hard") == EACCES);
    CHECK(f.fs().unlink(withheld, d.ino, "hard") == 0);
    CHECK_FALSE(f.backing_exists("d/hard"));
}

TEST_CASE("a setattr that changes nothing clears set-id bits as chown to -1:-1 does", "[root]") {
    FsFixture f;
    make_setid_file(f, "both", 06775);
    make_setid_file(f, "sgid_nox_member", 02765);
    make_setid_file(f, "sgid_nox_outsider", 02765);
    make_setid_file(f, "root_nox", 06765);
    const Caller outsider = f.caller(kMountUser, kMountUser);
    const Caller member = f.caller(kMountUser, kMountUser, 022, {kMountTeam});
    const struct stat unused {};
    const auto nothing = [&](const Caller& caller, const std::string& name) {
        REQUIRE(f.fs().setattr(caller, f.lookup(name).ino, unused, 0, std::nullopt).ok());
        return backing_mode(f, name);
    };
    CHECK(nothing(member, "both") == 0775);
    CHECK(nothing(member, "sgid_nox_member") == 02765);
    CHECK(nothing(outsider, "sgid_nox_outsider") == 0765);
    CHECK(nothing(f.root(), "root_nox") == 02765);  // root keeps sgid without group execute
}

TEST_CASE("a setattr that changes nothing clears set-id bits of a fifo too", "[root]") {
    FsFixture f;
    REQUIRE(::mkfifo(f.backing("fifo").c_str(), 0600) == 0);
    REQUIRE(::chown(f.backing("fifo").c_str(), 0, kStorageTeam) == 0);
    REQUIRE(::chmod(f.backing("fifo").c_str(), 06024) == 0);
    REQUIRE(::mkdir(f.backing("dir").c_str(), 0700) == 0);
    REQUIRE(::chmod(f.backing("dir").c_str(), 06755) == 0);
    const struct stat unused {};
    for (const char* name : {"fifo", "dir"})
        REQUIRE(f.fs().setattr(f.root(), f.lookup(name).ino, unused, 0, std::nullopt).ok());
    // Natively, root's chown -1:-1 of a 6024 fifo leaves 2024: suid goes, sgid without group
    // execute stays for a caller with CAP_FSETID.
    CHECK(backing_mode(f, "fifo") == 02024);
    CHECK(backing_mode(f, "dir") == 06755);  // and leaves a directory's bits alone
}

TEST_CASE("a chmod that only drops sgid keeps the suid it asks for", "[root]") {
    FsFixture f;
    make_setid_file(f, "f", 07456);
    struct stat wanted {};
    wanted.st_mode = S_IFREG | 05456;
    auto reply =
        f.fs().setattr(f.root(), f.lookup("f").ino, wanted, FUSE_SET_ATTR_MODE, std::nullopt);
    REQUIRE(reply.ok());
    CHECK(backing_mode(f, "f") == 05456);
    CHECK((reply->attr.st_mode & 07777) == 05456);
}

// Ids out (stat, readdir, readdirplus) and ids in through chown, checked on both sides.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <map>
#include <string>

#include "support/child.hpp"
#include "support/files.hpp"
#include "support/mount_fixture.hpp"
#include "support/temp_dir.hpp"
#include "support/unique_fd.hpp"

using namespace idshift::itest;

namespace {

struct OwnerCase {
    const char* name;
    Owner storage;
    Owner mount;
};

// Storage owners around every edge of the standard map, and what each must read as.
constexpr OwnerCase kOwnerCases[] = {
    {"root", {0, 0}, {0, 0}},
    {"range-first", {2000, 2000}, {1000, 1000}},
    {"range-last", {2009, 2009}, {1009, 1009}},
    {"uid-and-gid-differ", {2003, 3000}, {1003, 3000}},
    {"single", {3000, 3000}, {3000, 3000}},
    {"unmapped", {5000, 5000}, {kOverflowId, kOverflowId}},
    {"just-past-range", {2010, 1999}, {kOverflowId, kOverflowId}},
    {"mapped-uid-unmapped-gid", {2001, 5000}, {1001, kOverflowId}},
    {"the-overflow-id", {kOverflowId, kOverflowId}, {kOverflowId, kOverflowId}},
};

// Every directory entry's inode number as readdir reports it.
std::map<std::string, ino_t> readdir_inodes(const std::string& path) {
    DIR* dir = ::opendir(path.c_str());
    REQUIRE(dir != nullptr);
    std::map<std::string, ino_t> inodes;
    while (const dirent* entry = ::readdir(dir))
        inodes[entry->d_name] = entry->d_ino;
    ::closedir(dir);
    return inodes;
}

// The kernel backend cannot store a substitute id (the kernel refuses an unmapped write with
// EOVERFLOW), so a squash map is refused by -o backend=kernel with that reason, and nothing is
// mounted. True when this run is on the kernel backend and that was checked.
bool kernel_refuses_squash(const std::string& map) {
    if (!kernel_backend()) return false;
    const TempDir source("idshift-src-");
    const RefusedStart refused =
        run_daemon_expecting_refusal(source.path(), {.map = map, .options = {}});
    CHECK_FALSE(refused.mounted);
    CHECK(refused.exit.exit_code() == 2);
    CHECK_THAT(refused.log,
               Catch::Contains("backend: kernel refused, not mounted: the map cannot be expressed "
                               "by the kernel: unmapped-write is squash"));
    return true;
}

}  // namespace

TEST_CASE("ownership: stat maps storage owners to mount owners, unmapped ones to 65534") {
    Volume vol({.options = {"cache=none"}});
    for (const OwnerCase& c : kOwnerCases)
        make_file(vol.src(c.name), c.storage, 0644, "x");
    for (const OwnerCase& c : kOwnerCases) {
        INFO(c.name);
        CHECK(owner_of(vol.src(c.name)) == c.storage);
        CHECK(owner_of(vol.mnt(c.name)) == c.mount);
    }
}

TEST_CASE("ownership: directories symlinks fifos and the mount root map too") {
    Volume vol({.options = {"cache=none"}});
    REQUIRE(::chown(vol.src().c_str(), 2004, 2005) == 0);
    make_dir(vol.src("dir"), {2001, 2002}, 0755);
    make_symlink("target-text", vol.src("link"), {2003, 5000});
    REQUIRE(::mkfifo(vol.src("fifo").c_str(), 0644) == 0);
    REQUIRE(::lchown(vol.src("fifo").c_str(), 3000, 2009) == 0);

    CHECK(owner_of(vol.mnt()) == Owner{1004, 1005});
    CHECK(owner_of(vol.mnt("dir")) == Owner{1001, 1002});
    CHECK(owner_of(vol.mnt("link")) == Owner{1003, kOverflowId});
    CHECK(owner_of(vol.mnt("fifo")) == Owner{3000, 1009});
    CHECK(S_ISFIFO(lstat_path(vol.mnt("fifo")).st_mode));
}

TEST_CASE("ownership: readdir and readdirplus report mapped owners and matching inodes") {
    // cache=always keeps what READDIRPLUS returned, so the stats below are answered from it;
    // cache=none makes every stat a fresh GETATTR. Both paths must map.
    const char* cache = GENERATE("cache=always", "cache=none");
    INFO(cache);
    Volume vol({.options = {cache}});
    make_dir(vol.src("d"), kRootOwner, 0755);
    for (const OwnerCase& c : kOwnerCases)
        make_file(vol.src("d/") + c.name, c.storage, 0644);

    const std::map<std::string, ino_t> inodes = readdir_inodes(vol.mnt("d"));
    CHECK(inodes.size() == std::size(kOwnerCases) + 2);  // plus "." and ".."
    for (const OwnerCase& c : kOwnerCases) {
        INFO(c.name);
        REQUIRE(inodes.count(c.name) == 1);
        const struct stat st = lstat_path(vol.mnt("d/") + c.name);
        CHECK(Owner{st.st_uid, st.st_gid} == c.mount);
        CHECK(st.st_ino == inodes.at(c.name));
    }
}

TEST_CASE("ownership: root chown to mapped ids lands as storage ids and -1 keeps a field") {
    Volume vol({.options = {"cache=none"}});
    make_file(vol.src("f"), kRootOwner, 0644);

    REQUIRE(errno_of(::chown(vol.mnt("f").c_str(), 1005, 1007)) == 0);
    CHECK(owner_of(vol.src("f")) == Owner{2005, 2007});
    CHECK(owner_of(vol.mnt("f")) == Owner{1005, 1007});

    REQUIRE(errno_of(::chown(vol.mnt("f").c_str(), 3000, -1)) == 0);
    CHECK(owner_of(vol.src("f")) == Owner{3000, 2007});
    CHECK(owner_of(vol.mnt("f")) == Owner{3000, 1007});

    REQUIRE(errno_of(::chown(vol.mnt("f").c_str(), -1, 1002)) == 0);
    CHECK(owner_of(vol.src("f")) == Owner{3000, 2002});
    CHECK(owner_of(vol.mnt("f")) == Owner{3000, 1002});

    REQUIRE(errno_of(::chown(vol.mnt("f").c_str(), 0, 0)) == 0);
    CHECK(owner_of(vol.src("f")) == kRootOwner);
}

TEST_CASE("ownership: chown to an unmapped id fails with EOVERFLOW and changes nothing") {
    Volume vol({.options = {"cache=none"}});
    make_file(vol.src("f"), {2001, 2002}, 0644);
    const Owner before_storage{2001, 2002};
    const Owner before_mount{1001, 1002};

    CHECK(errno_of(::chown(vol.mnt("f").c_str(), 5000, -1)) == EOVERFLOW);
    CHECK(errno_of(::chown(vol.mnt("f").c_str(), -1, 5000)) == EOVERFLOW);
    CHECK(errno_of(::chown(vol.mnt("f").c_str(), 1003, 5000)) == EOVERFLOW);
    CHECK(errno_of(::chown(vol.mnt("f").c_str(), kOverflowId, kOverflowId)) == EOVERFLOW);
    CHECK(errno_of(::chown(vol.mnt("f").c_str(), 1010, -1)) == EOVERFLOW);  // just past the range
    CHECK(owner_of(vol.src("f")) == before_storage);
    CHECK(owner_of(vol.mnt("f")) == before_mount);
}

TEST_CASE("ownership: lchown of a symlink changes the link and not its target") {
    Volume vol({.options = {"cache=none"}});
    make_file(vol.src("target"), kRootOwner, 0644);
    make_symlink("target", vol.src("link"));

    REQUIRE(errno_of(::lchown(vol.mnt("link").c_str(), 1001, 1001)) == 0);
    CHECK(owner_of(vol.src("link")) == Owner{2001, 2001});
    CHECK(owner_of(vol.mnt("link")) == Owner{1001, 1001});
    CHECK(owner_of(vol.src("target")) == kRootOwner);
}

TEST_CASE("ownership: an owner may chgrp to its own groups and nothing more") {
    Volume vol({.options = {"cache=none"}});
    make_file(vol.src("f"), kAppStorage, 0644);
    const Caller app_in_1001{1000, 1000, {1001}};

    CHECK(as_user(app_in_1001, [&] { return errno_of(::chown(vol.mnt("f").c_str(), -1, 1001)); }) ==
          0);
    CHECK(owner_of(vol.src("f")) == Owner{2000, 2001});
    CHECK(owner_of(vol.mnt("f")) == Owner{1000, 1001});

    CHECK(as_user(app_in_1001, [&] { return errno_of(::chown(vol.mnt("f").c_str(), -1, 1002)); }) ==
          EPERM);
    CHECK(as_user(app_in_1001, [&] { return errno_of(::chown(vol.mnt("f").c_str(), 1001, -1)); }) ==
          EPERM);
    CHECK(owner_of(vol.src("f")) == Owner{2000, 2001});
}

TEST_CASE("ownership: chown clears set-user-id and set-group-id as it does natively") {
    Volume vol({.options = {"cache=none"}});
    make_file(vol.src("f"), kAppStorage, 06755);
    make_file(vol.src("native"), kAppStorage, 06755);

    REQUIRE(errno_of(::chown(vol.mnt("f").c_str(), 1001, 1001)) == 0);
    REQUIRE(errno_of(::chown(vol.src("native").c_str(), 2001, 2001)) == 0);
    CHECK(permissions_of(vol.src("native")) == 0755);
    CHECK(permissions_of(vol.src("f")) == permissions_of(vol.src("native")));
    CHECK(permissions_of(vol.mnt("f")) == permissions_of(vol.src("native")));
}

TEST_CASE("ownership: unmapped-write squash stores the squash ids for an unmapped chown") {
    std::string map(kStandardMap);
    map += "unmapped-write squash:7000:7001\n";
    if (kernel_refuses_squash(map)) return;
    Volume vol({.map = map, .options = {"cache=none"}});
    make_file(vol.src("f"), kAppStorage, 0644);

    REQUIRE(errno_of(::chown(vol.mnt("f").c_str(), 5000, 5000)) == 0);
    CHECK(owner_of(vol.src("f")) == Owner{7000, 7001});
    CHECK(owner_of(vol.mnt("f")) == Owner{kOverflowId, kOverflowId});  // 7000 is not mapped back

    REQUIRE(errno_of(::chown(vol.mnt("f").c_str(), 1003, -1)) == 0);  // mapped ids still map
    CHECK(owner_of(vol.src("f")) == Owner{2003, 7001});
}

TEST_CASE("ownership: unmapped-write squash with one id squashes the uid to it") {
    std::string map(kStandardMap);
    map += "unmapped-write squash:7000\n";
    if (kernel_refuses_squash(map)) return;
    Volume vol({.map = map, .options = {"cache=none"}});
    make_file(vol.src("f"), kAppStorage, 0644);

    REQUIRE(errno_of(::chown(vol.mnt("f").c_str(), 5000, -1)) == 0);
    CHECK(owner_of(vol.src("f")) == Owner{7000, 2000});
}

TEST_CASE("ownership: inline uidmap and gidmap options map like a map file") {
    Volume vol(
        {.map = "",
         .options = {"uidmap=0:0:1:1000:2000:10", "gidmap=0:0:1:1000:2000:10", "cache=none"}});
    make_file(vol.src("f"), {2007, 2008}, 0644);
    make_file(vol.src("u"), {5000, 5000}, 0644);
    CHECK(owner_of(vol.mnt("f")) == Owner{1007, 1008});
    CHECK(owner_of(vol.mnt("u")) == Owner{kOverflowId, kOverflowId});
    REQUIRE(errno_of(::chown(vol.mnt("f").c_str(), 1001, 1002)) == 0);
    CHECK(owner_of(vol.src("f")) == Owner{2001, 2002});
}

TEST_CASE("ownership: users and groups mapped by name between image and storage databases") {
    // The image calls uid 1000 "app"; the storage calls uid 4242 "alice" and gid 4243 "devs".
    TempDir databases("idshift-names-");
    write_file(databases.at("image.passwd"), "app:x:1000:1000::/home/app:/bin/sh\n");
    write_file(databases.at("image.group"), "app:x:1000:\n");
    write_file(databases.at("storage.passwd"), "alice:x:4242:4243::/home/alice:/bin/sh\n");
    write_file(databases.at("storage.group"), "devs:x:4243:\n");
    const std::string map =
        "passwd " + databases.at("image.passwd") + "\ngroup " + databases.at("image.group") +
        "\nstorage-passwd " + databases.at("storage.passwd") + "\nstorage-group " +
        databases.at("storage.group") + "\nuser app = alice\ngroup app = devs\nuid 0 0\ngid 0 0\n";
    Volume vol({.map = map, .options = {"cache=none"}});
    make_dir(vol.src("home"), {4242, 4243},
             0777);  // writable by all: the map, not the mode, refuses

    CHECK(owner_of(vol.mnt("home")) == kAppMount);
    REQUIRE(as_user(kApp, [&] { return create_errno(vol.mnt("home/f")); }) == 0);
    CHECK(owner_of(vol.src("home/f")) == Owner{4242, 4243});
    CHECK(owner_of(vol.mnt("home/f")) == kAppMount);
    CHECK(as_user(kOtherApp, [&] { return create_errno(vol.mnt("home/g")); }) == EOVERFLOW);
}

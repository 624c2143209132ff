// Hard links: one inode under several names, whatever the cache mode.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <string>

#include "support/child.hpp"
#include "support/files.hpp"
#include "support/mount_fixture.hpp"

using namespace idshift::itest;

TEST_CASE("links: two names of one file are one inode and change together") {
    const char* cache = GENERATE("cache=none", "cache=auto", "cache=always");
    INFO(cache);
    Volume vol({.options = {cache}});
    make_file(vol.src("a"), kAppStorage, 0644, "shared");
    const std::string a = vol.mnt("a");
    const std::string b = vol.mnt("b");
    const std::string c = vol.mnt("c");

    REQUIRE(errno_of(::link(a.c_str(), b.c_str())) == 0);
    CHECK(lstat_path(a).st_ino == lstat_path(b).st_ino);
    CHECK(lstat_path(a).st_nlink == 2);
    CHECK(lstat_path(b).st_nlink == 2);

    // Changes through one name show through the other at once: they are one kernel inode.
    REQUIRE(errno_of(::chmod(a.c_str(), 0600)) == 0);
    CHECK(permissions_of(b) == 0600);
    REQUIRE(errno_of(::chown(b.c_str(), 1003, 3000)) == 0);
    CHECK(owner_of(a) == Owner{1003, 3000});
    CHECK(owner_of(vol.src("a")) == Owner{2003, 3000});

    REQUIRE(errno_of(::link(b.c_str(), c.c_str())) == 0);
    CHECK(lstat_path(a).st_nlink == 3);
    CHECK(lstat_path(b).st_nlink == 3);
    CHECK(lstat_path(c).st_ino == lstat_path(a).st_ino);

    REQUIRE(errno_of(::unlink(a.c_str())) == 0);
    CHECK(lstat_path(b).st_nlink == 2);
    CHECK(read_file(c) == "shared");
    CHECK(lstat_path(vol.src("b")).st_nlink == 2);
}

TEST_CASE("links: renaming a name onto another name of the same inode changes nothing") {
    Volume vol({.options = {"cache=none"}});
    make_file(vol.src("a"), kAppStorage, 0644, "same");
    REQUIRE(::link(vol.src("a").c_str(), vol.src("b").c_str()) == 0);
    REQUIRE(errno_of(::rename(vol.mnt("a").c_str(), vol.mnt("b").c_str())) == 0);
    CHECK(list_dir(vol.mnt()) == std::vector<std::string>{"a", "b"});
    CHECK(lstat_path(vol.mnt("a")).st_nlink == 2);
}

TEST_CASE("links: hard links to directories are refused and a link keeps the caller's rights") {
    Volume vol({.options = {"cache=none"}});
    make_dir(vol.src("dir"), kAppStorage, 0755);
    make_file(vol.src("dir/secret"), kRootOwner, 0600);
    CHECK(errno_of(::link(vol.mnt("dir").c_str(), vol.mnt("dir-link").c_str())) == EPERM);
    // protected_hardlinks: a user may not link a file it could neither read nor write.
    CHECK(as_user(kApp, [&] {
              return errno_of(::link(vol.mnt("dir/secret").c_str(), vol.mnt("dir/mine").c_str()));
          }) == EPERM);
    CHECK_FALSE(exists(vol.src("dir/mine")));
}

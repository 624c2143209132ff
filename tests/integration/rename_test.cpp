// rename and renameat2 flags, checked on both sides.
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <string>
#include <vector>

#include "support/child.hpp"
#include "support/files.hpp"
#include "support/mount_fixture.hpp"
#include "support/temp_dir.hpp"

using namespace idshift::itest;

namespace {

int rename_flags(const std::string& from, const std::string& to, unsigned flags) {
    return errno_of(::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), flags));
}

}  // namespace

TEST_CASE("rename: RENAME_NOREPLACE refuses an existing target with EEXIST") {
    Volume vol({.options = {"cache=none"}});
    make_file(vol.src("a"), kAppStorage, 0644, "A");
    make_file(vol.src("b"), kRootOwner, 0644, "B");
    CHECK(rename_flags(vol.mnt("a"), vol.mnt("b"), RENAME_NOREPLACE) == EEXIST);
    CHECK(read_file(vol.src("a")) == "A");
    CHECK(read_file(vol.src("b")) == "B");
    REQUIRE(rename_flags(vol.mnt("a"), vol.mnt("c"), RENAME_NOREPLACE) == 0);
    CHECK(list_dir(vol.src()) == std::vector<std::string>{"b", "c"});
    CHECK(owner_of(vol.mnt("c")) == kAppMount);
}

TEST_CASE("rename: RENAME_EXCHANGE swaps a file and a directory atomically") {
    const char* cache = GENERATE("cache=none", "cache=always");
    INFO(cache);
    Volume vol({.options = {cache}});
    make_file(vol.src("file"), kAppStorage, 0644, "content");
    make_dir(vol.src("dir"), {3000, 3000}, 0755);
    make_file(vol.src("dir/inner"), kRootOwner, 0644);
    const ino_t file_ino = lstat_path(vol.mnt("file")).st_ino;
    const ino_t dir_ino = lstat_path(vol.mnt("dir")).st_ino;

    REQUIRE(rename_flags(vol.mnt("file"), vol.mnt("dir"), RENAME_EXCHANGE) == 0);
    CHECK(S_ISDIR(lstat_path(vol.src("file")).st_mode));
    CHECK(read_file(vol.src("dir")) == "content");
    CHECK(S_ISDIR(lstat_path(vol.mnt("file")).st_mode));
    CHECK(lstat_path(vol.mnt("file")).st_ino == dir_ino);
    CHECK(lstat_path(vol.mnt("dir")).st_ino == file_ino);
    CHECK(owner_of(vol.mnt("file")) == Owner{3000, 3000});
    CHECK(owner_of(vol.mnt("dir")) == kAppMount);
    CHECK(read_file(vol.mnt("dir")) == "content");
    CHECK(list_dir(vol.mnt("file")) == std::vector<std::string>{"inner"});
    CHECK(rename_flags(vol.mnt("file"), vol.mnt("missing"), RENAME_EXCHANGE) == ENOENT);
    CHECK(rename_flags(vol.mnt("file"), vol.mnt("dir"), RENAME_EXCHANGE | RENAME_NOREPLACE) ==
          EINVAL);
}

TEST_CASE("rename: replacing, moving between directories and the native refusals") {
    Volume vol({.options = {"cache=none"}});
    make_dir(vol.src("from"), kRootOwner, 0755);
    make_dir(vol.src("to"), kRootOwner, 0755);
    make_file(vol.src("from/f"), kAppStorage, 0644, "new");
    make_file(vol.src("to/f"), kRootOwner, 0644, "old");
    make_dir(vol.src("to/full"), kRootOwner, 0755);
    make_file(vol.src("to/full/x"), kRootOwner, 0644);

    REQUIRE(errno_of(::rename(vol.mnt("from/f").c_str(), vol.mnt("to/f").c_str())) == 0);
    CHECK(read_file(vol.src("to/f")) == "new");
    CHECK(owner_of(vol.src("to/f")) == kAppStorage);
    CHECK(list_dir(vol.src("from")).empty());
    CHECK(errno_of(::rename(vol.mnt("from").c_str(), vol.mnt("to/full").c_str())) == ENOTEMPTY);
    CHECK(errno_of(::rename(vol.mnt("to").c_str(), vol.mnt("to/full/inside").c_str())) == EINVAL);
    CHECK(errno_of(::rename(vol.mnt("to/f").c_str(), vol.mnt("to/full").c_str())) == EISDIR);
    CHECK(errno_of(::rename(vol.mnt("from").c_str(), vol.mnt("to/f").c_str())) == ENOTDIR);
}

TEST_CASE("rename: the sticky bit and write permission are enforced as natively") {
    Volume vol({.options = {"cache=none"}});
    make_dir(vol.src("tmp"), kRootOwner, 01777);
    make_file(vol.src("tmp/roots"), kRootOwner, 0644);
    make_file(vol.src("tmp/apps"), kAppStorage, 0644);
    make_dir(vol.src("closed"), kRootOwner, 0755);
    CHECK(as_user(kApp, [&] {
              return errno_of(::rename(vol.mnt("tmp/roots").c_str(), vol.mnt("tmp/x").c_str()));
          }) == EPERM);
    CHECK(as_user(kApp, [&] {
              return errno_of(::rename(vol.mnt("tmp/apps").c_str(), vol.mnt("tmp/y").c_str()));
          }) == 0);
    CHECK(as_user(kApp, [&] {
              return errno_of(::rename(vol.mnt("tmp/y").c_str(), vol.mnt("closed/y").c_str()));
          }) == EACCES);
    CHECK(list_dir(vol.src("tmp")) == std::vector<std::string>{"roots", "y"});
}

TEST_CASE("rename: across two mounts or out of the mount is EXDEV") {
    TempDir backing("idshift-src-");
    make_file(backing.at("f"), kRootOwner, 0644);
    Mount a(backing.path());
    Mount b(backing.path());
    CHECK(errno_of(::rename(a.at("f").c_str(), b.at("g").c_str())) == EXDEV);
    CHECK(errno_of(::rename(a.at("f").c_str(), backing.at("g").c_str())) == EXDEV);
    CHECK(errno_of(::link(a.at("f").c_str(), b.at("g").c_str())) == EXDEV);
    CHECK(list_dir(backing.path()) == std::vector<std::string>{"f"});
}

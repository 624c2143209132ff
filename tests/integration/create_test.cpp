// New inodes get the caller's storage ids; an unmapped caller creates nothing.
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cerrno>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "support/child.hpp"
#include "support/files.hpp"
#include "support/mount_fixture.hpp"
#include "support/standard_map.hpp"
#include "support/unique_fd.hpp"

using namespace idshift::itest;

namespace {

int bind_socket(const std::string& path) {
    const UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (!fd || path.size() >= sizeof address.sun_path) return EINVAL;
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
    return errno_of(::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address));
}

struct Creator {
    const char* name;
    mode_t type;
    std::function<int(const std::string& path)> create;
};

const Creator kCreators[] = {
    {"open-creat", S_IFREG, [](const std::string& p) { return create_errno(p); }},
    {"mknod-regular", S_IFREG,
     [](const std::string& p) { return errno_of(::mknod(p.c_str(), S_IFREG | 0644, 0)); }},
    {"mkdir", S_IFDIR, [](const std::string& p) { return errno_of(::mkdir(p.c_str(), 0755)); }},
    {"mkfifo", S_IFIFO, [](const std::string& p) { return errno_of(::mkfifo(p.c_str(), 0644)); }},
    {"socket", S_IFSOCK, [](const std::string& p) { return bind_socket(p); }},
    {"symlink", S_IFLNK,
     [](const std::string& p) { return errno_of(::symlink("some/target", p.c_str())); }},
};

}  // namespace

TEST_CASE("create: every kind of new inode is owned by the caller's storage ids") {
    Volume vol({.options = {"cache=none"}});
    make_dir(vol.src("home"), kAppStorage, 0755);
    for (const Creator& creator : kCreators) {
        INFO(creator.name);
        const std::string name = std::string("home/") + creator.name;
        const std::string path = vol.mnt(name);
        REQUIRE(as_user(kApp, [&] { return creator.create(path); }) == 0);
        const struct stat backing = lstat_path(vol.src(name));
        const struct stat mounted = lstat_path(path);
        CHECK((backing.st_mode & S_IFMT) == creator.type);
        CHECK((mounted.st_mode & S_IFMT) == creator.type);
        CHECK(Owner{backing.st_uid, backing.st_gid} == kAppStorage);
        CHECK(Owner{mounted.st_uid, mounted.st_gid} == kAppMount);
    }
    CHECK(read_link(vol.src("home/symlink")) == "some/target");
}

TEST_CASE("create: the caller's umask applies as it does natively") {
    Volume vol({.options = {"cache=none"}});
    make_dir(vol.src("home"), kAppStorage, 0755);
    REQUIRE(as_user(kApp, [&] {
                ::umask(027);
                const UniqueFd fd(::open(vol.mnt("home/f").c_str(), O_CREAT | O_WRONLY, 0666));
                if (!fd) return errno;
                return errno_of(::mkdir(vol.mnt("home/d").c_str(), 0777));
            }) == 0);
    CHECK(permissions_of(vol.src("home/f")) == 0640);
    CHECK(permissions_of(vol.mnt("home/f")) == 0640);
    CHECK(permissions_of(vol.src("home/d")) == 0750);
    CHECK(permissions_of(vol.mnt("home/d")) == 0750);
}

TEST_CASE("create: a set-group-id directory passes its group on as natively") {
    Volume vol({.options = {"cache=none"}});
    make_dir(vol.src("shared"), {2000, 3000}, 02775);
    REQUIRE(as_user(kApp, [&] { return create_errno(vol.mnt("shared/f")); }) == 0);
    REQUIRE(as_user(kApp, [&] { return errno_of(::mkdir(vol.mnt("shared/d").c_str(), 0755)); }) ==
            0);
    CHECK(owner_of(vol.src("shared/f")) == Owner{2000, 3000});
    CHECK(owner_of(vol.mnt("shared/f")) == Owner{1000, 3000});
    CHECK(owner_of(vol.src("shared/d")) == Owner{2000, 3000});
    CHECK((permissions_of(vol.src("shared/d")) & S_ISGID) != 0);
    CHECK((permissions_of(vol.mnt("shared/d")) & S_ISGID) != 0);
}

TEST_CASE("create: a hard link keeps its inode's owner whoever makes it") {
    Volume vol({.options = {"cache=none"}});
    make_dir(vol.src("home"), kAppStorage, 0777);
    make_file(vol.src("home/mine"), kAppStorage, 0644, "data");
    REQUIRE(errno_of(::link(vol.mnt("home/mine").c_str(), vol.mnt("home/by-root").c_str())) == 0);
    REQUIRE(as_user(kApp, [&] {
                return errno_of(
                    ::link(vol.mnt("home/mine").c_str(), vol.mnt("home/by-app").c_str()));
            }) == 0);
    for (const char* name : {"home/by-root", "home/by-app"}) {
        INFO(name);
        CHECK(owner_of(vol.src(name)) == kAppStorage);
        CHECK(owner_of(vol.mnt(name)) == kAppMount);
        CHECK(lstat_path(vol.src(name)).st_nlink == 3);
    }
}

TEST_CASE("create: a device node made by root with -o dev can be opened") {
    Volume vol({.options = {"cache=none", "dev"}});
    REQUIRE(errno_of(::mknod(vol.mnt("null").c_str(), S_IFCHR | 0666, makedev(1, 3))) == 0);
    const struct stat backing = lstat_path(vol.src("null"));
    CHECK(S_ISCHR(backing.st_mode));
    CHECK(backing.st_rdev == makedev(1, 3));
    CHECK(Owner{backing.st_uid, backing.st_gid} == kRootOwner);
    CHECK(lstat_path(vol.mnt("null")).st_rdev == makedev(1, 3));
    const UniqueFd fd(::open(vol.mnt("null").c_str(), O_WRONLY | O_CLOEXEC));
    REQUIRE(fd);
    CHECK(::write(fd.get(), "x", 1) == 1);
}

TEST_CASE("create: without -o dev device nodes can be neither made nor opened") {
    Volume vol({.options = {"cache=none"}});
    // The daemon keeps CAP_MKNOD only for -o dev, so even root cannot make one through the mount.
    CHECK(errno_of(::mknod(vol.mnt("made").c_str(), S_IFCHR | 0666, makedev(1, 3))) == EPERM);
    CHECK_FALSE(exists(vol.src("made")));
    REQUIRE(::mknod(vol.src("null").c_str(), S_IFCHR | 0666, makedev(1, 3)) == 0);
    CHECK(S_ISCHR(lstat_path(vol.mnt("null")).st_mode));
    CHECK(open_errno(vol.mnt("null"), O_WRONLY) == EACCES);
}

TEST_CASE("create: a non-root caller may not make device nodes") {
    Volume vol({.options = {"cache=none", "dev"}});
    make_dir(vol.src("home"), kAppStorage, 0755);
    CHECK(as_user(kApp, [&] {
              return errno_of(::mknod(vol.mnt("home/null").c_str(), S_IFCHR | 0666, makedev(1, 3)));
          }) == EPERM);
    CHECK_FALSE(exists(vol.src("home/null")));
}

TEST_CASE("create: an unmapped caller gets EOVERFLOW and nothing appears on the backing side") {
    Volume vol({.options = {"cache=none"}});
    make_dir(vol.src("open"), kRootOwner, 0777);
    const Caller unmapped_gid{1000, 5000, {}};
    const Caller unmapped_uid{5000, 1000, {}};
    for (const Caller& caller : {kUnmapped, unmapped_gid, unmapped_uid}) {
        for (const Creator& creator : kCreators) {
            INFO(caller << " " << creator.name);
            const std::string path = vol.mnt(std::string("open/") + creator.name);
            CHECK(as_user(caller, [&] { return creator.create(path); }) == EOVERFLOW);
        }
    }
    CHECK(list_dir(vol.src("open")).empty());
}

// With any kernel-protocol extra on (the default), O_TMPFILE works: see tmpfile_test.cpp.
TEST_CASE("create: O_TMPFILE fails with EOPNOTSUPP when every kernel-protocol extra is off") {
    Volume vol({.options = {"cache=none", "passthrough=off", "killpriv_v2=off"}});
    make_dir(vol.src("home"), kAppStorage, 0755);
    CHECK(as_user(kApp, [&] { return open_errno(vol.mnt("home"), O_TMPFILE | O_WRONLY); }) ==
          EOPNOTSUPP);
    CHECK(list_dir(vol.src("home")).empty());
}

TEST_CASE("create: an unmapped caller still reads and writes existing files it may access") {
    Volume vol({.options = {"cache=none"}});
    make_file(vol.src("readable"), kRootOwner, 0644, "for everyone");
    make_file(vol.src("writable"), kRootOwner, 0666, "");
    CHECK(as_user_output(kUnmapped, [&] { return read_file(vol.mnt("readable")); }) ==
          "for everyone");
    CHECK(as_user(kUnmapped, [&] {
              const UniqueFd fd(::open(vol.mnt("writable").c_str(), O_WRONLY | O_CLOEXEC));
              return fd ? errno_of(::write(fd.get(), "abc", 3)) : errno;
          }) == 0);
    CHECK(read_file(vol.src("writable")) == "abc");
    CHECK(owner_of(vol.src("writable")) == kRootOwner);
}

TEST_CASE("create: names with newlines, tabs and 255 bytes are stored and listed as given") {
    Volume vol({.options = {"cache=none"}});
    make_dir(vol.src("d"), kAppStorage, 0755);
    const std::string odd = "line\nbreak\tand \x01 bytes";
    const std::string longest(255, 'n');
    for (const std::string& name : {odd, longest}) {
        INFO(name.size());
        REQUIRE(as_user(kApp, [&] { return create_errno(vol.mnt("d/" + name)); }) == 0);
        CHECK(owner_of(vol.src("d/" + name)) == kAppStorage);
        CHECK(owner_of(vol.mnt("d/" + name)) == kAppMount);
    }
    auto listed = list_dir(vol.mnt("d"));
    std::sort(listed.begin(), listed.end());
    CHECK(listed == std::vector<std::string>{odd, longest});
    CHECK(as_user(kApp, [&] { return create_errno(vol.mnt("d/" + longest + "n")); }) ==
          ENAMETOOLONG);
}

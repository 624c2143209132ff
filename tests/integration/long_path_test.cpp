// Paths of about PATH_MAX through the mount: the daemon works relative to its own handles, so a
// long path is no longer on the backing side than on the mount side.
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <string>
#include <vector>

#include "support/child.hpp"
#include "support/files.hpp"
#include "support/mount_fixture.hpp"
#include "support/unique_fd.hpp"

using namespace idshift::itest;

namespace {

constexpr std::size_t kNameMax = 255;
constexpr int kLevels = 16;  // 16 names of 255 bytes and 15 slashes: 4095 bytes, PATH_MAX - 1

// "<level letter>" repeated to 255 bytes, one name per level.
std::string component(int level) {
    return std::string(kNameMax, static_cast<char>('a' + level));
}

// The relative path of the first `levels` components.
std::string prefix(int levels) {
    std::string path;
    for (int level = 0; level < levels; ++level) {
        if (level > 0) path += '/';
        path += component(level);
    }
    return path;
}

UniqueFd open_dir(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    REQUIRE(fd);
    return fd;
}

}  // namespace

TEST_CASE("long paths: a 4095-byte path of 255-byte names works through the mount") {
    Volume vol({.options = {"cache=none"}});
    make_dir(vol.src("home"), kAppStorage, 0755);
    const UniqueFd mount_home = open_dir(vol.mnt("home"));
    const UniqueFd backing_home = open_dir(vol.src("home"));
    const std::string full = prefix(kLevels);
    REQUIRE(full.size() == PATH_MAX - 1);
    const std::string parent = prefix(kLevels - 1);

    const int created = as_user(kApp, [&] {
        for (int level = 1; level < kLevels; ++level)
            if (::mkdirat(mount_home.get(), prefix(level).c_str(), 0755) != 0) return errno;
        const UniqueFd file(::openat(mount_home.get(), full.c_str(),
                                     O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644));
        if (!file) return errno;
        return ::write(file.get(), "deep", 4) == 4 ? 0 : EIO;
    });
    REQUIRE(created == 0);

    struct stat through_mount {};
    struct stat on_backing {};
    REQUIRE(::fstatat(mount_home.get(), full.c_str(), &through_mount, AT_SYMLINK_NOFOLLOW) == 0);
    REQUIRE(::fstatat(backing_home.get(), full.c_str(), &on_backing, AT_SYMLINK_NOFOLLOW) == 0);
    CHECK(Owner{through_mount.st_uid, through_mount.st_gid} == kAppMount);
    CHECK(Owner{on_backing.st_uid, on_backing.st_gid} == kAppStorage);
    CHECK(through_mount.st_size == 4);

    // One more byte is too long for the caller's kernel already.
    CHECK(errno_of(::fstatat(mount_home.get(), (full + "x").c_str(), &through_mount, 0)) ==
          ENAMETOOLONG);
    // A 256-byte name is too long for the backing file system, reported as natively.
    const std::string long_name = parent + "/" + std::string(kNameMax + 1, 'z');
    CHECK(errno_of(::mkdirat(mount_home.get(), long_name.c_str(), 0755)) == ENAMETOOLONG);

    REQUIRE(as_user(kApp, [&] {
                if (::unlinkat(mount_home.get(), full.c_str(), 0) != 0) return errno;
                for (int level = kLevels - 1; level >= 1; --level)
                    if (::unlinkat(mount_home.get(), prefix(level).c_str(), AT_REMOVEDIR) != 0)
                        return errno;
                return 0;
            }) == 0);
    CHECK(list_dir(vol.src("home")).empty());
}

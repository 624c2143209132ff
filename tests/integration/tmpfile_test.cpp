// open(2) with O_TMPFILE through the mount: the kernel's FUSE_TMPFILE, which libfuse 3.14 does not
// know, is served as a create of an unnamed inode; linkat() names it later, owned by the caller's
// mapped ids, as on the native filesystem.
#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <string>

#include "support/child.hpp"
#include "support/files.hpp"
#include "support/mount_fixture.hpp"

using namespace idshift::itest;

namespace {

// As the calling user: an unnamed file in `dir` with `bytes`, then linkat() to `name` through
// /proc/self/fd. 0 or the errno of the step that failed.
int write_unnamed_then_link(const std::string& dir, const std::string& name, int extra_flags,
                            const std::string& bytes) {
    const int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC | extra_flags, 0640);
    if (fd < 0) return errno;
    int rc = 0;
    if (::write(fd, bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size())) rc = errno;
    const std::string proc = "/proc/self/fd/" + std::to_string(fd);
    if (rc == 0 && ::linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, name.c_str(), AT_SYMLINK_FOLLOW) != 0)
        rc = errno;
    ::close(fd);
    return rc;
}

}  // namespace

TEST_CASE("tmpfile: an O_TMPFILE file is written, then linked, owned by the caller's mapped ids") {
    const char* option = GENERATE("passthrough=on", "passthrough=off");
    INFO(option);
    Volume vol({.options = {option}});
    make_dir(vol.src("d"), kAppStorage, 0755);
    CHECK(as_user(kApp, [&] {
              ::umask(022);
              return write_unnamed_then_link(vol.mnt("d"), vol.mnt("d/named"), 0, "unnamed");
          }) == 0);
    CHECK(owner_of(vol.src("d/named")) == kAppStorage);
    CHECK(owner_of(vol.mnt("d/named")) == kAppMount);
    CHECK(permissions_of(vol.src("d/named")) == 0640);
    CHECK(read_file(vol.src("d/named")) == "unnamed");
    CHECK(read_file(vol.mnt("d/named")) == "unnamed");
    CHECK(list_dir(vol.src("d")) == std::vector<std::string>{"named"});
}

TEST_CASE("tmpfile: O_TMPFILE | O_EXCL is never linkable, and needs a writable directory") {
    Volume vol;
    make_dir(vol.src("d"), kAppStorage, 0755);
    CHECK(as_user(kApp, [&] {
              return write_unnamed_then_link(vol.mnt("d"), vol.mnt("d/named"), O_EXCL, "x");
          }) == ENOENT);
    CHECK(as_user(kOtherApp, [&] {
              return write_unnamed_then_link(vol.mnt("d"), vol.mnt("d/named"), 0, "x");
          }) == EACCES);
    CHECK(list_dir(vol.src("d")).empty());
}

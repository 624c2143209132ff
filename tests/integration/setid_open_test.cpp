// A file made set-id while it is open: a write by root keeps the bits, as natively (root holds
// CAP_FSETID), and a write by an ordinary user clears them, whichever of the two opened the file
// first and whether the data goes by passthrough or through the daemon. With passthrough the
// kernel writes through one backing file per inode with the rights it was registered with, so
// the daemon must not let the other class of opener share it.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <string>
#include <thread>

#include "support/child.hpp"
#include "support/files.hpp"
#include "support/mount_fixture.hpp"
#include "support/standard_map.hpp"
#include "support/unique_fd.hpp"

using namespace idshift::itest;

namespace {

int write_at(int fd, char byte, off_t offset) {
    return ::pwrite(fd, &byte, 1, offset) == 1 ? 0 : errno;
}

// Opens `path` for writing as `caller` in a child, says so through `ready`, waits for a byte on
// `go`, then writes `byte` at `offset`. Returns the child's errno-style result.
int hold_open_then_write(const Caller& caller, const std::string& path, int ready, int go,
                         char byte, off_t offset) {
    return as_user(caller, [&] {
        const UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
        if (!fd) return errno;
        if (::write(ready, "r", 1) != 1) return errno;
        char signal = 0;
        if (::read(go, &signal, 1) != 1) return errno;
        return write_at(fd.get(), byte, offset);
    });
}

}  // namespace

TEST_CASE("setid: root opens first, the file turns set-id, root's writes keep the bits") {
    const std::string data_path = GENERATE("passthrough=on", "passthrough=off");
    INFO(data_path);
    Volume vol({.options = {data_path}});
    make_file(vol.src("f"), kAppStorage, 0666, "12345678");

    const UniqueFd first(::open(vol.mnt("f").c_str(), O_WRONLY | O_CLOEXEC));
    REQUIRE(first);
    REQUIRE(::chmod(vol.mnt("f").c_str(), 06777) == 0);
    CHECK(write_at(first.get(), 'A', 0) == 0);
    CHECK(permissions_of(vol.src("f")) == 06777);

    const UniqueFd second(::open(vol.mnt("f").c_str(), O_WRONLY | O_CLOEXEC));
    REQUIRE(second);
    CHECK(write_at(second.get(), 'B', 1) == 0);
    CHECK(permissions_of(vol.src("f")) == 06777);

    // An ordinary user's write, while root's opens are live, clears them as natively.
    CHECK(as_user(kApp, [&] {
              const UniqueFd fd(::open(vol.mnt("f").c_str(), O_WRONLY | O_CLOEXEC));
              return fd ? write_at(fd.get(), 'C', 2) : errno;
          }) == 0);
    CHECK(permissions_of(vol.src("f")) == 0777);
    CHECK(read_file(vol.src("f")) == "ABC45678");
}

TEST_CASE("setid: a user opens first, the file turns set-id, root keeps and the user clears") {
    const std::string data_path = GENERATE("passthrough=on", "passthrough=off");
    INFO(data_path);
    Volume vol({.options = {data_path}});
    make_file(vol.src("f"), kAppStorage, 0666, "12345678");

    int ready[2];
    int go[2];
    REQUIRE(::pipe2(ready, O_CLOEXEC) == 0);
    REQUIRE(::pipe2(go, O_CLOEXEC) == 0);
    const UniqueFd ready_read(ready[0]), ready_write(ready[1]), go_read(go[0]), go_write(go[1]);
    int user_result = -1;
    std::thread user(
        [&] { user_result = hold_open_then_write(kApp, vol.mnt("f"), ready[1], go[0], 'D', 3); });
    char byte = 0;
    const bool user_opened = ::read(ready_read.get(), &byte, 1) == 1;

    REQUIRE(::chmod(vol.mnt("f").c_str(), 06777) == 0);
    {
        const UniqueFd root_fd(::open(vol.mnt("f").c_str(), O_WRONLY | O_CLOEXEC));
        CHECK(root_fd);
        CHECK(write_at(root_fd.get(), 'E', 4) == 0);
    }
    const mode_t after_root = permissions_of(vol.src("f"));
    const bool released = ::write(go_write.get(), "g", 1) == 1;
    user.join();
    REQUIRE(user_opened);
    REQUIRE(released);
    CHECK(after_root == 06777);
    CHECK(user_result == 0);
    CHECK(permissions_of(vol.src("f")) == 0777);
    CHECK(read_file(vol.src("f")) == "123DE678");
}

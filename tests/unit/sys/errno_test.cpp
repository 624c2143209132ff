#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "idshift/sys/errno.hpp"
#include "idshift/sys/files.hpp"

namespace sys = idshift::sys;

TEST_CASE("errno_of is 0 for a success and the call's errno for a failure") {
    errno = EINTR;  // a stale errno must not leak into a success
    CHECK(sys::errno_of(::access("/", F_OK)) == 0);
    CHECK(sys::errno_of(::access("/nonexistent/idshift-errno-test", F_OK)) == ENOENT);
    CHECK(sys::errno_of(::close(-1)) == EBADF);
}

TEST_CASE("last_error never reports success") {
    errno = EACCES;
    CHECK(sys::last_error().value == EACCES);
    errno = 0;  // a call that failed without saying why
    CHECK(sys::last_error().value == EIO);
}

TEST_CASE("Result carries a value or a positive errno") {
    const sys::Result<int> value = 7;
    CHECK(value.ok());
    CHECK(value.error() == 0);
    CHECK(*value == 7);
    const sys::Result<int> error = sys::Errno{ENOENT};
    CHECK_FALSE(error.ok());
    CHECK(error.error() == ENOENT);
}

TEST_CASE("ProcFdPath names the fd's magic link and reopen goes through it") {
    CHECK(std::string(sys::ProcFdPath(42).c_str()) == "/proc/self/fd/42");
    auto path = sys::open_path_at(AT_FDCWD, "/dev/null");
    REQUIRE(path.ok());
    auto io = sys::reopen(path->get(), O_WRONLY);
    REQUIRE(io.ok());
    CHECK(::write(io->get(), "x", 1) == 1);
    CHECK(sys::reopen(-1, O_RDONLY).error() == ENOENT);
}

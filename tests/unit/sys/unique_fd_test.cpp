#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "idshift/sys/files.hpp"

using idshift::sys::UniqueFd;

namespace {
bool is_open(int fd) {
    return ::fcntl(fd, F_GETFD) != -1;
}
}  // namespace

TEST_CASE("UniqueFd closes its fd exactly once") {
    const int raw = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    REQUIRE(raw >= 0);
    {
        UniqueFd fd(raw);
        CHECK(fd.get() == raw);
        CHECK(static_cast<bool>(fd));
    }
    CHECK_FALSE(is_open(raw));
}

TEST_CASE("UniqueFd moves ownership and release() gives it up") {
    const int raw = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    REQUIRE(raw >= 0);
    UniqueFd a(raw);
    UniqueFd b(std::move(a));
    CHECK(a.get() == -1);  // NOLINT: checking the moved-from state on purpose
    CHECK(b.get() == raw);
    UniqueFd c;
    c = std::move(b);
    CHECK(c.get() == raw);
    CHECK(is_open(raw));
    const int released = c.release();
    CHECK(released == raw);
    CHECK(c.get() == -1);
    CHECK(is_open(raw));
    ::close(released);
}

TEST_CASE("UniqueFd keeps errno across close") {
    const int raw = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    REQUIRE(raw >= 0);
    UniqueFd fd(raw);
    errno = ENOSPC;
    fd.reset();
    CHECK(errno == ENOSPC);
    CHECK_FALSE(is_open(raw));
    // Closing an fd that is no longer valid fails inside, and still leaves errno alone.
    UniqueFd stale(raw);
    errno = EXDEV;
    stale.reset();
    CHECK(errno == EXDEV);
}

TEST_CASE("open_path_at never follows a symlink") {
    char dir[] = "/tmp/idshift-sys-XXXXXX";
    REQUIRE(::mkdtemp(dir) != nullptr);
    const std::string link = std::string(dir) + "/link";
    REQUIRE(::symlink("/etc/passwd", link.c_str()) == 0);
    UniqueFd dir_fd(::open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC));
    auto fd = idshift::sys::open_path_at(dir_fd.get(), "link");
    REQUIRE(fd.ok());
    auto st = idshift::sys::stat_fd(fd->get());
    REQUIRE(st.ok());
    CHECK(S_ISLNK(st->st_mode));
    ::unlink(link.c_str());
    ::rmdir(dir);
}

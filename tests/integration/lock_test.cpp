// flock and POSIX record locks conflict across processes exactly as natively: within one mount,
// across two mounts of one directory, and between a mount and the backing directory itself.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <string>

#include "support/child.hpp"
#include "support/files.hpp"
#include "support/mount_fixture.hpp"
#include "support/temp_dir.hpp"
#include "support/unique_fd.hpp"

using namespace idshift::itest;

namespace {

// Where the lock holder (this process) and the contender (a child) open the same file.
struct Placement {
    const char* name;
    char holder;  // 'a' or 'b': one of two mounts; 's': the backing directory
    char contender;
};

// "native" is the reference the others must match.
const Placement kPlacements[] = {
    {"native", 's', 's'},
    {"one mount", 'a', 'a'},
    {"two mounts", 'a', 'b'},
    {"mount then backing", 'a', 's'},
    {"backing then mount", 's', 'a'},
};

class LockScene {
  public:
    explicit LockScene(const Placement& placement) : placement_(placement) {
        make_file(backing_.at("f"), kRootOwner, 0666, std::string(200, 'x'));
    }
    std::string holder_path() const { return path(placement_.holder); }
    std::string contender_path() const { return path(placement_.contender); }

  private:
    std::string path(char where) const {
        if (where == 'a') return a_.at("f");
        if (where == 'b') return b_.at("f");
        return backing_.at("f");
    }
    Placement placement_;
    TempDir backing_{"idshift-src-"};
    Mount a_{backing_.path()};
    Mount b_{backing_.path()};
};

UniqueFd open_rw(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_RDWR | O_CLOEXEC));
    REQUIRE(fd);
    return fd;
}

int set_lock(int fd, short type, off_t start, off_t length) {
    struct flock lock {};
    lock.l_type = type;
    lock.l_whence = SEEK_SET;
    lock.l_start = start;
    lock.l_len = length;
    return errno_of(::fcntl(fd, F_SETLK, &lock));
}

// In a separate process (so a different lock owner): open `path` and try one F_SETLK.
int contend_posix(const std::string& path, short type, off_t start, off_t length) {
    return as_user(kRoot, [&] {
        const UniqueFd fd(::open(path.c_str(), O_RDWR | O_CLOEXEC));
        return fd ? set_lock(fd.get(), type, start, length) : errno;
    });
}

int contend_flock(const std::string& path, int operation) {
    return as_user(kRoot, [&] {
        const UniqueFd fd(::open(path.c_str(), O_RDWR | O_CLOEXEC));
        return fd ? errno_of(::flock(fd.get(), operation | LOCK_NB)) : errno;
    });
}

}  // namespace

TEST_CASE("locks: POSIX write locks conflict on overlap and release on unlock") {
    const Placement& placement =
        GENERATE(from_range(std::begin(kPlacements), std::end(kPlacements)));
    INFO(placement.name);
    LockScene scene(placement);
    const UniqueFd held = open_rw(scene.holder_path());
    REQUIRE(set_lock(held.get(), F_WRLCK, 0, 100) == 0);

    CHECK(contend_posix(scene.contender_path(), F_WRLCK, 50, 10) == EAGAIN);
    CHECK(contend_posix(scene.contender_path(), F_RDLCK, 99, 1) == EAGAIN);
    CHECK(contend_posix(scene.contender_path(), F_WRLCK, 100, 10) == 0);  // just past the lock
    const std::string contender = scene.contender_path();
    const std::string seen = as_user_output(kRoot, [&] {
        const UniqueFd fd(::open(contender.c_str(), O_RDWR | O_CLOEXEC));
        struct flock probe {};
        probe.l_type = F_WRLCK;
        probe.l_whence = SEEK_SET;
        probe.l_start = 10;
        probe.l_len = 1;
        if (!fd || ::fcntl(fd.get(), F_GETLK, &probe) != 0) return std::string("error");
        return std::to_string(probe.l_type) + " " + std::to_string(probe.l_start) + " " +
               std::to_string(probe.l_len);
    });
    CHECK(seen == std::to_string(F_WRLCK) + " 0 100");

    REQUIRE(set_lock(held.get(), F_UNLCK, 0, 100) == 0);
    CHECK(contend_posix(scene.contender_path(), F_WRLCK, 50, 10) == 0);
}

TEST_CASE("locks: POSIX read locks are shared and exclude writers") {
    const Placement& placement =
        GENERATE(from_range(std::begin(kPlacements), std::end(kPlacements)));
    INFO(placement.name);
    LockScene scene(placement);
    const UniqueFd held = open_rw(scene.holder_path());
    REQUIRE(set_lock(held.get(), F_RDLCK, 0, 0) == 0);  // the whole file
    CHECK(contend_posix(scene.contender_path(), F_RDLCK, 0, 0) == 0);
    CHECK(contend_posix(scene.contender_path(), F_WRLCK, 150, 1) == EAGAIN);
}

TEST_CASE("locks: closing any descriptor of a process drops its POSIX locks") {
    const Placement& placement =
        GENERATE(from_range(std::begin(kPlacements), std::end(kPlacements)));
    INFO(placement.name);
    LockScene scene(placement);
    const UniqueFd held = open_rw(scene.holder_path());
    REQUIRE(set_lock(held.get(), F_WRLCK, 0, 100) == 0);
    REQUIRE(contend_posix(scene.contender_path(), F_WRLCK, 0, 1) == EAGAIN);
    {
        const UniqueFd another = open_rw(scene.holder_path());
    }  // closing it releases the locks taken through `held` too
    CHECK(contend_posix(scene.contender_path(), F_WRLCK, 0, 1) == 0);
}

TEST_CASE("locks: flock excludes other open files until unlocked") {
    const Placement& placement =
        GENERATE(from_range(std::begin(kPlacements), std::end(kPlacements)));
    INFO(placement.name);
    LockScene scene(placement);
    const UniqueFd held = open_rw(scene.holder_path());
    REQUIRE(errno_of(::flock(held.get(), LOCK_EX | LOCK_NB)) == 0);
    CHECK(contend_flock(scene.contender_path(), LOCK_EX) == EWOULDBLOCK);
    CHECK(contend_flock(scene.contender_path(), LOCK_SH) == EWOULDBLOCK);
    REQUIRE(errno_of(::flock(held.get(), LOCK_UN)) == 0);
    CHECK(contend_flock(scene.contender_path(), LOCK_EX) == 0);
}

TEST_CASE("locks: shared flocks coexist and a close releases the lock") {
    const Placement& placement =
        GENERATE(from_range(std::begin(kPlacements), std::end(kPlacements)));
    INFO(placement.name);
    LockScene scene(placement);
    UniqueFd held = open_rw(scene.holder_path());
    REQUIRE(errno_of(::flock(held.get(), LOCK_SH | LOCK_NB)) == 0);
    CHECK(contend_flock(scene.contender_path(), LOCK_SH) == 0);
    CHECK(contend_flock(scene.contender_path(), LOCK_EX) == EWOULDBLOCK);
    held.reset();
    CHECK(contend_flock(scene.contender_path(), LOCK_EX) == 0);
}

// RootTimes, on a temporary directory: the probe's own mkdir and rmdir are undone in the root's
// atime and mtime, and a change by someone else during the probe is not.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdlib>
#include <string>

#include "storage/root_times.hpp"

using idshift::fusell::storage::RootTimes;

namespace {

constexpr struct timespec kOldAtime = {1'500'000'000, 111'111'111};
constexpr struct timespec kOldMtime = {1'600'000'000, 123'456'789};

// A directory with the old times, and an O_PATH fd of it (the probe's root fd is one).
class OldDir {
  public:
    OldDir() {
        char name[] = "/tmp/idshift-root-times-XXXXXX";
        REQUIRE(::mkdtemp(name) != nullptr);
        path_ = name;
        const struct timespec times[2] = {kOldAtime, kOldMtime};
        REQUIRE(::utimensat(AT_FDCWD, path_.c_str(), times, 0) == 0);
        fd_ = ::open(path_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
        REQUIRE(fd_ >= 0);
    }
    ~OldDir() {
        ::close(fd_);
        ::unlinkat(AT_FDCWD, at("other").c_str(), 0);
        ::rmdir(at("probe").c_str());
        ::rmdir(path_.c_str());
    }
    OldDir(const OldDir&) = delete;
    OldDir& operator=(const OldDir&) = delete;

    int fd() const noexcept { return fd_; }
    std::string at(const char* name) const { return path_ + "/" + name; }
    struct stat stat() const {
        struct stat st {};
        REQUIRE(::stat(path_.c_str(), &st) == 0);
        return st;
    }

  private:
    std::string path_;
    int fd_ = -1;
};

std::string format(const struct timespec& t) {
    return std::to_string(t.tv_sec) + "." + std::to_string(t.tv_nsec);
}

}  // namespace

TEST_CASE("RootTimes puts back the atime and mtime the probe's mkdir and rmdir moved") {
    OldDir dir;
    RootTimes times(dir.fd());
    REQUIRE(::mkdir(dir.at("probe").c_str(), 0700) == 0);
    times.probe_made();
    CHECK(format(dir.stat().st_mtim) != format(kOldMtime));
    times.probe_removing();
    REQUIRE(::rmdir(dir.at("probe").c_str()) == 0);
    CHECK(times.restore() == 0);
    CHECK(format(dir.stat().st_mtim) == format(kOldMtime));
    CHECK(format(dir.stat().st_atim) == format(kOldAtime));
}

TEST_CASE("RootTimes leaves the times alone when someone else changed the root during the probe") {
    OldDir dir;
    RootTimes times(dir.fd());
    REQUIRE(::mkdir(dir.at("probe").c_str(), 0700) == 0);
    times.probe_made();
    // Someone else's file, made while the probe runs: an mtime newer than the probe's mkdir.
    struct timespec later = dir.stat().st_mtim;
    later.tv_sec += 10;
    const int other = ::open(dir.at("other").c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
    REQUIRE(other >= 0);
    ::close(other);
    const struct timespec set[2] = {{0, UTIME_OMIT}, later};
    REQUIRE(::utimensat(AT_FDCWD, dir.at("").c_str(), set, 0) == 0);
    times.probe_removing();
    REQUIRE(::rmdir(dir.at("probe").c_str()) == 0);
    CHECK(times.restore() == ESTALE);
    CHECK(format(dir.stat().st_mtim) != format(kOldMtime));
}

// Attributes: times with UTIME_NOW / UTIME_OMIT, stable inode numbers after the kernel forgets,
// chmod and truncate as natively.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <ctime>
#include <ostream>
#include <string>

#include "support/child.hpp"
#include "support/files.hpp"
#include "support/mount_fixture.hpp"

using namespace idshift::itest;

namespace {

constexpr timespec kOldTime{1'000'000'000, 123'456'789};
constexpr timespec kNewTime{1'500'000'000, 987'654'321};

// A timespec that compares and prints, for exact assertions.
struct Time {
    long sec;
    long nsec;
    friend bool operator==(const Time&, const Time&) = default;
    friend std::ostream& operator<<(std::ostream& out, const Time& t) {
        return out << t.sec << '.' << t.nsec;
    }
};

Time time_of(const timespec& t) {
    return {t.tv_sec, t.tv_nsec};
}

int set_times(const std::string& path, timespec atime, timespec mtime) {
    const timespec times[2] = {atime, mtime};
    return errno_of(::utimensat(AT_FDCWD, path.c_str(), times, AT_SYMLINK_NOFOLLOW));
}

// Asks the kernel to forget every unused dentry and inode, so the next lookups reach the daemon
// as new (after FORGETs).
void drop_kernel_caches() {
    write_file("/proc/sys/vm/drop_caches", "2");
}

}  // namespace

TEST_CASE("attributes: UTIME_OMIT keeps a time exactly and an explicit time is set exactly") {
    Volume vol({.options = {"cache=none"}});
    make_file(vol.src("f"), kAppStorage, 0644);
    REQUIRE(set_times(vol.mnt("f"), kOldTime, kOldTime) == 0);

    REQUIRE(set_times(vol.mnt("f"), {0, UTIME_OMIT}, kNewTime) == 0);
    for (const std::string& path : {vol.src("f"), vol.mnt("f")}) {
        INFO(path);
        const struct stat st = lstat_path(path);
        CHECK(time_of(st.st_atim) == time_of(kOldTime));
        CHECK(time_of(st.st_mtim) == time_of(kNewTime));
    }
}

TEST_CASE("attributes: UTIME_NOW sets the current time and UTIME_OMIT leaves the other") {
    Volume vol({.options = {"cache=none"}});
    make_file(vol.src("f"), kAppStorage, 0644);
    REQUIRE(set_times(vol.mnt("f"), kOldTime, kOldTime) == 0);
    timespec before{};
    REQUIRE(::clock_gettime(CLOCK_REALTIME_COARSE, &before) == 0);

    REQUIRE(set_times(vol.mnt("f"), {0, UTIME_NOW}, {0, UTIME_OMIT}) == 0);
    for (const std::string& path : {vol.src("f"), vol.mnt("f")}) {
        INFO(path);
        const struct stat st = lstat_path(path);
        CHECK(st.st_atim.tv_sec >= before.tv_sec);
        CHECK(time_of(st.st_mtim) == time_of(kOldTime));
    }
    CHECK(time_of(lstat_path(vol.src("f")).st_atim) == time_of(lstat_path(vol.mnt("f")).st_atim));
}

TEST_CASE("attributes: who may set times follows the native rules") {
    Volume vol({.options = {"cache=none"}});
    make_file(vol.src("writable"), kRootOwner, 0666);
    make_file(vol.src("mine"), kAppStorage, 0644);
    make_file(vol.src("theirs"), kRootOwner, 0644);
    const auto touch_now = [&](const std::string& path) {
        return as_user(kApp,
                       [&] { return errno_of(::utimensat(AT_FDCWD, path.c_str(), nullptr, 0)); });
    };
    const auto touch_explicit = [&](const std::string& path) {
        return as_user(kApp, [&] { return set_times(path, kOldTime, kOldTime); });
    };
    CHECK(touch_now(vol.mnt("writable")) == 0);           // write access is enough for "now"
    CHECK(touch_explicit(vol.mnt("writable")) == EPERM);  // explicit times need ownership
    CHECK(touch_explicit(vol.mnt("mine")) == 0);
    CHECK(touch_now(vol.mnt("theirs")) == EACCES);
    CHECK(time_of(lstat_path(vol.src("mine")).st_mtim) == time_of(kOldTime));
}

TEST_CASE("attributes: inode numbers stay the same after the kernel forgets the inodes") {
    Volume vol({.options = {"cache=none"}});
    make_dir(vol.src("d"), kRootOwner, 0755);
    make_file(vol.src("d/f"), kAppStorage, 0644);
    REQUIRE(::link(vol.src("d/f").c_str(), vol.src("d/g").c_str()) == 0);

    const ino_t dir_before = lstat_path(vol.mnt("d")).st_ino;
    const ino_t file_before = lstat_path(vol.mnt("d/f")).st_ino;
    drop_kernel_caches();
    CHECK(lstat_path(vol.mnt("d/g")).st_ino == file_before);  // first looked up through g now
    CHECK(lstat_path(vol.mnt("d/f")).st_ino == file_before);
    CHECK(lstat_path(vol.mnt("d")).st_ino == dir_before);
    drop_kernel_caches();
    CHECK(lstat_path(vol.mnt("d/f")).st_ino == file_before);
    CHECK(owner_of(vol.mnt("d/f")) == kAppMount);
}

TEST_CASE("attributes: chmod and truncate land on the backing file") {
    Volume vol({.options = {"cache=none"}});
    make_file(vol.src("f"), kAppStorage, 0644, "0123456789");
    REQUIRE(as_user(kApp, [&] { return errno_of(::chmod(vol.mnt("f").c_str(), 0640)); }) == 0);
    CHECK(permissions_of(vol.src("f")) == 0640);
    CHECK(as_user(kOtherApp, [&] { return errno_of(::chmod(vol.mnt("f").c_str(), 0777)); }) ==
          EPERM);
    REQUIRE(as_user(kApp, [&] { return errno_of(::truncate(vol.mnt("f").c_str(), 4)); }) == 0);
    CHECK(read_file(vol.src("f")) == "0123");
    REQUIRE(errno_of(::truncate(vol.mnt("f").c_str(), 6)) == 0);
    CHECK(read_file(vol.mnt("f")) == std::string("0123\0\0", 6));
    CHECK(lstat_path(vol.src("f")).st_size == 6);
    CHECK(as_user(kOtherApp, [&] { return errno_of(::truncate(vol.mnt("f").c_str(), 0)); }) ==
          EACCES);
}

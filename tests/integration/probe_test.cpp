// The storage probe at mount time writes in SOURCE's root (a hidden directory, made and removed at
// once) and must leave nothing a user can see: no entry, and the root's atime and mtime as they
// were. A read-only mount writes nothing at all, so even the root's ctime stays.
#include <fcntl.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <string>
#include <vector>

#include "support/files.hpp"
#include "support/mount_fixture.hpp"
#include "support/temp_dir.hpp"

using namespace idshift::itest;

namespace {

// A time no probe can produce, with nanoseconds, so that "unchanged" is exact.
constexpr struct timespec kOldAtime = {1'500'000'000, 111'111'111};
constexpr struct timespec kOldMtime = {1'600'000'000, 123'456'789};

std::string format(const struct timespec& t) {
    return std::to_string(t.tv_sec) + "." + std::to_string(t.tv_nsec);
}

void set_old_times(const std::string& dir) {
    const struct timespec times[2] = {kOldAtime, kOldMtime};
    REQUIRE(::utimensat(AT_FDCWD, dir.c_str(), times, 0) == 0);
}

}  // namespace

TEST_CASE("probe: a writable mount leaves SOURCE's root atime and mtime as they were") {
    TempDir backing("idshift-src-");
    set_old_times(backing.path());
    {
        Mount mount(backing.path(), {.options = {"cache=none"}});
        // The full probe ran: it says what the storage does with a stranger's create.
        CHECK_THAT(mount.log(), Catch::Contains("owner from creds yes"));
        const struct stat st = lstat_path(backing.path());
        CHECK(format(st.st_mtim) == format(kOldMtime));
        CHECK(format(st.st_atim) == format(kOldAtime));
        CHECK(st.st_nlink == 2);  // no directory left behind (listing it would move the atime)
    }
    const struct stat after = lstat_path(backing.path());
    CHECK(format(after.st_mtim) == format(kOldMtime));
    CHECK(format(after.st_atim) == format(kOldAtime));
    CHECK(list_dir(backing.path()).empty());
}

TEST_CASE("probe: a writable mount's probe does not undo a change that comes after it") {
    TempDir backing("idshift-src-");
    set_old_times(backing.path());
    Mount mount(backing.path(), {.options = {"cache=none"}});
    write_file(mount.at("made-after-mounting"), "x");
    const struct stat st = lstat_path(backing.path());
    CHECK(format(st.st_mtim) != format(kOldMtime));
    CHECK(list_dir(backing.path()) == std::vector<std::string>{"made-after-mounting"});
}

TEST_CASE("probe: -o ro writes nothing, and SOURCE's root keeps even its ctime") {
    TempDir backing("idshift-src-");
    set_old_times(backing.path());
    const struct stat before = lstat_path(backing.path());
    {
        Mount mount(backing.path(), {.options = {"ro", "cache=none"}});
        CHECK_THAT(mount.log(), Catch::Contains("read only (EROFS) (probed what can be read)"));
        const struct stat st = lstat_path(backing.path());
        CHECK(format(st.st_ctim) == format(before.st_ctim));
        CHECK(format(st.st_mtim) == format(kOldMtime));
        CHECK(format(st.st_atim) == format(kOldAtime));
        CHECK(st.st_nlink == 2);
    }
    const struct stat after = lstat_path(backing.path());
    CHECK(format(after.st_ctim) == format(before.st_ctim));
    CHECK(format(after.st_mtim) == format(kOldMtime));
    CHECK(format(after.st_atim) == format(kOldAtime));
    CHECK(list_dir(backing.path()).empty());
}

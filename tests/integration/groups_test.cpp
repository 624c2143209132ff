// Supplementary groups reach the backing file system mapped: a secondary group is enough.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <string>

#include "support/child.hpp"
#include "support/files.hpp"
#include "support/mount_fixture.hpp"
#include "support/unique_fd.hpp"

using namespace idshift::itest;

namespace {

// A directory only group 1005 (storage 2005) may write.
constexpr Owner kGroupDirStorage{0, 2005};

}  // namespace

TEST_CASE("groups: a secondary group is enough to create in a group-only directory") {
    Volume vol({.options = {"cache=none"}});
    make_dir(vol.src("team"), kGroupDirStorage, 0770);
    const Caller member{1000, 1000, {1005}};

    REQUIRE(as_user(member, [&] { return create_errno(vol.mnt("team/f")); }) == 0);
    CHECK(owner_of(vol.src("team/f")) == kAppStorage);
    CHECK(owner_of(vol.mnt("team/f")) == kAppMount);
}

TEST_CASE("groups: without the group the same caller gets EACCES") {
    Volume vol({.options = {"cache=none"}});
    make_dir(vol.src("team"), kGroupDirStorage, 0770);
    CHECK(as_user(kApp, [&] { return create_errno(vol.mnt("team/f")); }) == EACCES);
    const Caller other_groups{1000, 1000, {1004, 1006, 3000}};
    CHECK(as_user(other_groups, [&] { return create_errno(vol.mnt("team/f")); }) == EACCES);
    CHECK(list_dir(vol.src("team")).empty());
}

TEST_CASE("groups: the primary group counts and stamps new files") {
    Volume vol({.options = {"cache=none"}});
    make_dir(vol.src("team"), kGroupDirStorage, 0770);
    const Caller primary{1000, 1005, {}};
    REQUIRE(as_user(primary, [&] { return create_errno(vol.mnt("team/f")); }) == 0);
    CHECK(owner_of(vol.src("team/f")) == Owner{2000, 2005});
    CHECK(owner_of(vol.mnt("team/f")) == Owner{1000, 1005});
}

TEST_CASE("groups: a secondary group grants reading a group-only file") {
    Volume vol({.options = {"cache=none"}});
    make_file(vol.src("report"), kGroupDirStorage, 0640, "group eyes only");
    const Caller member{1001, 1001, {1005}};
    CHECK(as_user_output(member, [&] { return read_file(vol.mnt("report")); }) ==
          "group eyes only");
    CHECK(as_user(kOtherApp, [&] { return open_errno(vol.mnt("report"), O_RDONLY); }) == EACCES);
}

TEST_CASE("groups: unmapped and many supplementary groups do not hide a mapped one") {
    Volume vol({.options = {"cache=none"}});
    make_dir(vol.src("team"), kGroupDirStorage, 0770);
    Caller crowded{1000, 1000, {}};
    for (gid_t gid = 5000; gid < 5040; ++gid)
        crowded.groups.push_back(gid);  // unmapped
    for (gid_t gid = 1001; gid < 1010; ++gid)
        crowded.groups.push_back(gid);  // mapped, 1005 too
    REQUIRE(as_user(crowded, [&] { return create_errno(vol.mnt("team/f")); }) == 0);
    CHECK(owner_of(vol.src("team/f")) == kAppStorage);
}

TEST_CASE("groups: the granting group is found behind thousands of others") {
    // /proc/PID/status holds the list on one line: 3000 groups make it about 20 KiB, far past
    // what one read of the file returns.
    Volume vol({.options = {"cache=none"}});
    make_dir(vol.src("team"), kGroupDirStorage, 0770);
    Caller crowded{1000, 1000, {}};
    for (gid_t gid = 10000; gid < 13000; ++gid)
        crowded.groups.push_back(gid);  // unmapped
    crowded.groups.push_back(1005);     // the directory's group, last
    REQUIRE(as_user(crowded, [&] { return create_errno(vol.mnt("team/f")); }) == 0);
    CHECK(owner_of(vol.src("team/f")) == kAppStorage);
    crowded.groups.pop_back();
    CHECK(as_user(crowded, [&] { return create_errno(vol.mnt("team/g")); }) == EACCES);
}

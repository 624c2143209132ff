#include "idshift/idmap/extent.hpp"

#include <catch2/catch.hpp>

namespace idshift::idmap {
namespace {

TEST_CASE("extent: covers is exact at both ends") {
    const UidExtent e{MountUid{1000}, StorageUid{100000}, 10};
    CHECK_FALSE(e.covers_mount(MountUid{999}));
    CHECK(e.covers_mount(MountUid{1000}));
    CHECK(e.covers_mount(MountUid{1009}));
    CHECK_FALSE(e.covers_mount(MountUid{1010}));
    CHECK_FALSE(e.covers_storage(StorageUid{99999}));
    CHECK(e.covers_storage(StorageUid{100000}));
    CHECK(e.covers_storage(StorageUid{100009}));
    CHECK_FALSE(e.covers_storage(StorageUid{100010}));
}

TEST_CASE("extent: covers cannot wrap at 2^32") {
    // first + count is 4 after wrapping: a check written as id < first + count would say no for
    // every id in range, and yes for small ids with a first below them.
    CHECK(covers(4294967290u, 10, 4294967294u));
    CHECK(covers(4294967290u, 10, 4294967295u));
    CHECK_FALSE(covers(4294967290u, 10, 3));
    CHECK_FALSE(covers(4294967290u, 10, 0));
    CHECK(covers(0, 4294967295u, 4294967294u));
    CHECK_FALSE(covers(0, 4294967295u, 4294967295u));
    CHECK_FALSE(covers(5, 0, 5));
}

TEST_CASE("extent: translates by offset in both directions") {
    const UidExtent e{MountUid{1000}, StorageUid{100000}, 10};
    CHECK(e.to_storage(MountUid{1000}) == StorageUid{100000u});
    CHECK(e.to_storage(MountUid{1009}) == StorageUid{100009u});
    CHECK(e.to_storage(MountUid{1010}) == std::nullopt);
    CHECK(e.to_mount(StorageUid{100005}) == MountUid{1005u});
    CHECK(e.to_mount(StorageUid{1005}) == std::nullopt);

    const UidExtent top{MountUid{0}, StorageUid{4294967294u}, 1};
    CHECK(top.to_storage(MountUid{0}) == StorageUid{4294967294u});
    CHECK(top.to_mount(StorageUid{4294967294u}) == MountUid{0u});
    CHECK(top.to_mount(StorageUid{4294967295u}) == std::nullopt);
}

}  // namespace
}  // namespace idshift::idmap

#include "idshift/idmap/extent.hpp"

#include <catch2/catch.hpp>

namespace idshift::idmap {
namespace {

TEST_CASE("extent: covers is exact at both ends") {
    const Extent e{1000, 100000, 10};
    CHECK_FALSE(e.covers_mount(999));
    CHECK(e.covers_mount(1000));
    CHECK(e.covers_mount(1009));
    CHECK_FALSE(e.covers_mount(1010));
    CHECK_FALSE(e.covers_storage(99999));
    CHECK(e.covers_storage(100000));
    CHECK(e.covers_storage(100009));
    CHECK_FALSE(e.covers_storage(100010));
}

TEST_CASE("extent: covers cannot wrap at 2^32") {
    // first + count is 4 after wrapping: a check written as id < first + count would say no for
    // every id in range, and yes for small ids with a first below them.
    CHECK(Extent::covers(4294967290u, 10, 4294967294u));
    CHECK(Extent::covers(4294967290u, 10, 4294967295u));
    CHECK_FALSE(Extent::covers(4294967290u, 10, 3));
    CHECK_FALSE(Extent::covers(4294967290u, 10, 0));
    CHECK(Extent::covers(0, 4294967295u, 4294967294u));
    CHECK_FALSE(Extent::covers(0, 4294967295u, 4294967295u));
    CHECK_FALSE(Extent::covers(5, 0, 5));
}

TEST_CASE("extent: translates by offset in both directions") {
    const Extent e{1000, 100000, 10};
    CHECK(e.to_storage(1000) == 100000u);
    CHECK(e.to_storage(1009) == 100009u);
    CHECK(e.to_storage(1010) == std::nullopt);
    CHECK(e.to_mount(100005) == 1005u);
    CHECK(e.to_mount(1005) == std::nullopt);

    const Extent top{0, 4294967294u, 1};
    CHECK(top.to_storage(0) == 4294967294u);
    CHECK(top.to_mount(4294967294u) == 0u);
    CHECK(top.to_mount(4294967295u) == std::nullopt);
}

}  // namespace
}  // namespace idshift::idmap

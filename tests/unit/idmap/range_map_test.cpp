#include "idshift/idmap/range_map.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <numeric>
#include <random>

namespace idshift::idmap {
namespace {

// The definition of a lookup, checked against every extent; what the index must agree with.
std::optional<std::uint32_t> brute_to_storage(const std::vector<Extent>& extents,
                                              std::uint32_t id) {
    for (const Extent& e : extents) {
        if (auto mapped = e.to_storage(id)) return mapped;
    }
    return std::nullopt;
}

std::optional<std::uint32_t> brute_to_mount(const std::vector<Extent>& extents, std::uint32_t id) {
    for (const Extent& e : extents) {
        if (auto mapped = e.to_mount(id)) return mapped;
    }
    return std::nullopt;
}

// `n` disjoint extents of 1..50 ids with gaps, whose storage sides are in a shuffled order so that
// the two index arrays differ.
std::vector<Extent> random_extents(std::size_t n, std::mt19937& rng) {
    std::uniform_int_distribution<std::uint32_t> length(1, 50);
    std::uniform_int_distribution<std::uint32_t> gap(0, 30);
    std::vector<std::uint32_t> counts(n);
    for (auto& c : counts)
        c = length(rng);
    std::vector<Extent> extents(n);
    std::uint32_t next = gap(rng);
    for (std::size_t i = 0; i < n; ++i) {
        extents[i].mount_first = next;
        extents[i].count = counts[i];
        next += counts[i] + gap(rng);
    }
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), rng);
    next = 1000000 + gap(rng);
    for (std::size_t i : order) {
        extents[i].storage_first = next;
        next += extents[i].count + gap(rng);
    }
    std::shuffle(extents.begin(), extents.end(), rng);  // insertion order is not sorted order
    return extents;
}

TEST_CASE("range map: an empty map covers nothing") {
    const RangeMap map;
    CHECK(map.empty());
    CHECK(map.to_storage(0) == std::nullopt);
    CHECK(map.to_mount(0) == std::nullopt);
    CHECK(map.to_storage(4294967295u) == std::nullopt);
}

TEST_CASE("range map: every id of a 65536 range round-trips both ways") {
    const RangeMap map({{0, 100000, 65536}});
    for (std::uint32_t id = 0; id < 65536; ++id) {
        REQUIRE(map.to_storage(id) == 100000 + id);
        REQUIRE(map.to_mount(100000 + id) == id);
    }
    CHECK(map.to_storage(65536) == std::nullopt);
    CHECK(map.to_mount(99999) == std::nullopt);
    CHECK(map.to_mount(165536) == std::nullopt);
    CHECK(map.to_mount(0) == std::nullopt);
}

TEST_CASE("range map: boundary ids 0, 65534, 4294967294 and 4294967295") {
    const RangeMap identity({{0, 0, 4294967295u}});
    CHECK(identity.to_storage(0) == 0u);
    CHECK(identity.to_storage(65534) == 65534u);
    CHECK(identity.to_storage(4294967294u) == 4294967294u);
    CHECK(identity.to_storage(4294967295u) == std::nullopt);
    CHECK(identity.to_mount(4294967295u) == std::nullopt);

    const RangeMap swapped({{0, 4294967294u, 1}, {4294967294u, 0, 1}, {65534, 65534, 1}});
    CHECK(swapped.to_storage(0) == 4294967294u);
    CHECK(swapped.to_storage(4294967294u) == 0u);
    CHECK(swapped.to_mount(0) == 4294967294u);
    CHECK(swapped.to_mount(65534) == 65534u);
    CHECK(swapped.to_storage(4294967295u) == std::nullopt);
    CHECK(swapped.to_storage(1) == std::nullopt);
}

TEST_CASE("range map: touching extents each keep their own ids") {
    const RangeMap map({{10, 500, 10}, {0, 100, 10}, {20, 510, 5}});
    CHECK(map.to_storage(9) == 109u);
    CHECK(map.to_storage(10) == 500u);
    CHECK(map.to_storage(19) == 509u);
    CHECK(map.to_storage(20) == 510u);
    CHECK(map.to_storage(25) == std::nullopt);
    CHECK(map.to_mount(509) == 19u);
    CHECK(map.to_mount(510) == 20u);
    CHECK(map.to_mount(110) == std::nullopt);
}

TEST_CASE("range map: the indexed path agrees with a brute-force scan") {
    std::mt19937 rng(20240521);
    // 5 is the last linear size, 6 the first indexed one; 1000 is the benchmark's size.
    for (const std::size_t n : {std::size_t{1}, std::size_t{5}, std::size_t{6}, std::size_t{7},
                                std::size_t{64}, std::size_t{1000}}) {
        const std::vector<Extent> extents = random_extents(n, rng);
        const RangeMap map(extents);
        REQUIRE(map.extents().size() == n);
        std::uniform_int_distribution<std::uint32_t> near(0, 1200000);
        std::uniform_int_distribution<std::uint32_t> any(0, 4294967295u);
        for (int i = 0; i < 20000; ++i) {
            const std::uint32_t id = i % 10 == 0 ? any(rng) : near(rng);
            INFO("n = " << n << ", id = " << id);
            REQUIRE(map.to_storage(id) == brute_to_storage(extents, id));
            REQUIRE(map.to_mount(id) == brute_to_mount(extents, id));
        }
        // Every first and last id of every extent, and the ids just outside.
        for (const Extent& e : extents) {
            for (const std::uint32_t id : {e.mount_first, e.mount_first + e.count - 1,
                                           e.mount_first - 1, e.mount_first + e.count}) {
                REQUIRE(map.to_storage(id) == brute_to_storage(extents, id));
            }
            for (const std::uint32_t id : {e.storage_first, e.storage_first + e.count - 1,
                                           e.storage_first - 1, e.storage_first + e.count}) {
                REQUIRE(map.to_mount(id) == brute_to_mount(extents, id));
            }
        }
    }
}

TEST_CASE("range map: the indexed path handles 0 and the top of the id space") {
    std::vector<Extent> extents;
    for (std::uint32_t i = 0; i < 8; ++i)
        extents.push_back({i * 10, 4294967294u - i * 10, 1});
    extents.push_back({4294967294u, 100, 1});
    const RangeMap map(extents);
    CHECK(map.to_storage(0) == 4294967294u);
    CHECK(map.to_mount(4294967294u) == 0u);
    CHECK(map.to_storage(4294967294u) == 100u);
    CHECK(map.to_mount(100) == 4294967294u);
    CHECK(map.to_storage(4294967295u) == std::nullopt);
    CHECK(map.to_mount(4294967295u) == std::nullopt);
    CHECK(map.to_storage(1) == std::nullopt);
    CHECK(map.to_mount(4294967293u) == std::nullopt);
}

TEST_CASE("range map: extents() keeps insertion order") {
    const RangeMap map({{10, 20, 1}, {0, 30, 1}});
    REQUIRE(map.extents().size() == 2);
    CHECK(map.extents()[0] == Extent{10, 20, 1});
    CHECK(map.extents()[1] == Extent{0, 30, 1});
}

}  // namespace
}  // namespace idshift::idmap

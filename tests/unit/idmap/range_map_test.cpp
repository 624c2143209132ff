#include "idshift/idmap/range_map.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <numeric>
#include <random>

namespace idshift::idmap {
namespace {

// The cases are written in numbers; these read a typed lookup's answer as one.
template <typename Id>
std::optional<std::uint32_t> raw_of(std::optional<Id> id) {
    if (!id) return std::nullopt;
    return raw(*id);
}
std::optional<std::uint32_t> storage_of(const UidRangeMap& map, std::uint32_t id) {
    return raw_of(map.to_storage(MountUid{id}));
}
std::optional<std::uint32_t> mount_of(const UidRangeMap& map, std::uint32_t id) {
    return raw_of(map.to_mount(StorageUid{id}));
}

// The definition of a lookup, checked against every extent; what the index must agree with.
std::optional<std::uint32_t> brute_to_storage(const std::vector<RuleExtent>& extents,
                                              std::uint32_t id) {
    for (const RuleExtent& e : extents) {
        if (auto mapped = e.as<UidExtent>().to_storage(MountUid{id})) return raw(*mapped);
    }
    return std::nullopt;
}

std::optional<std::uint32_t> brute_to_mount(const std::vector<RuleExtent>& extents,
                                            std::uint32_t id) {
    for (const RuleExtent& e : extents) {
        if (auto mapped = e.as<UidExtent>().to_mount(StorageUid{id})) return raw(*mapped);
    }
    return std::nullopt;
}

// `n` disjoint extents of 1..50 ids with gaps, whose storage sides are in a shuffled order so that
// the two index arrays differ.
std::vector<RuleExtent> random_extents(std::size_t n, std::mt19937& rng) {
    std::uniform_int_distribution<std::uint32_t> length(1, 50);
    std::uniform_int_distribution<std::uint32_t> gap(0, 30);
    std::vector<std::uint32_t> counts(n);
    for (auto& c : counts)
        c = length(rng);
    std::vector<RuleExtent> extents(n);
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
    const UidRangeMap map;
    CHECK(map.empty());
    CHECK(storage_of(map, 0) == std::nullopt);
    CHECK(mount_of(map, 0) == std::nullopt);
    CHECK(storage_of(map, 4294967295u) == std::nullopt);
}

TEST_CASE("range map: every id of a 65536 range round-trips both ways") {
    const auto map = UidRangeMap::from_rules({{0, 100000, 65536}});
    for (std::uint32_t id = 0; id < 65536; ++id) {
        REQUIRE(storage_of(map, id) == 100000 + id);
        REQUIRE(mount_of(map, 100000 + id) == id);
    }
    CHECK(storage_of(map, 65536) == std::nullopt);
    CHECK(mount_of(map, 99999) == std::nullopt);
    CHECK(mount_of(map, 165536) == std::nullopt);
    CHECK(mount_of(map, 0) == std::nullopt);
}

TEST_CASE("range map: boundary ids 0, 65534, 4294967294 and 4294967295") {
    const auto identity = UidRangeMap::from_rules({{0, 0, 4294967295u}});
    CHECK(storage_of(identity, 0) == 0u);
    CHECK(storage_of(identity, 65534) == 65534u);
    CHECK(storage_of(identity, 4294967294u) == 4294967294u);
    CHECK(storage_of(identity, 4294967295u) == std::nullopt);
    CHECK(mount_of(identity, 4294967295u) == std::nullopt);

    const auto swapped =
        UidRangeMap::from_rules({{0, 4294967294u, 1}, {4294967294u, 0, 1}, {65534, 65534, 1}});
    CHECK(storage_of(swapped, 0) == 4294967294u);
    CHECK(storage_of(swapped, 4294967294u) == 0u);
    CHECK(mount_of(swapped, 0) == 4294967294u);
    CHECK(mount_of(swapped, 65534) == 65534u);
    CHECK(storage_of(swapped, 4294967295u) == std::nullopt);
    CHECK(storage_of(swapped, 1) == std::nullopt);
}

TEST_CASE("range map: touching extents each keep their own ids") {
    const auto map = UidRangeMap::from_rules({{10, 500, 10}, {0, 100, 10}, {20, 510, 5}});
    CHECK(storage_of(map, 9) == 109u);
    CHECK(storage_of(map, 10) == 500u);
    CHECK(storage_of(map, 19) == 509u);
    CHECK(storage_of(map, 20) == 510u);
    CHECK(storage_of(map, 25) == std::nullopt);
    CHECK(mount_of(map, 509) == 19u);
    CHECK(mount_of(map, 510) == 20u);
    CHECK(mount_of(map, 110) == std::nullopt);
}

TEST_CASE("range map: the indexed path agrees with a brute-force scan") {
    std::mt19937 rng(20240521);
    // 5 is the last linear size, 6 the first indexed one; 1000 is the benchmark's size.
    for (const std::size_t n : {std::size_t{1}, std::size_t{5}, std::size_t{6}, std::size_t{7},
                                std::size_t{64}, std::size_t{1000}}) {
        const std::vector<RuleExtent> extents = random_extents(n, rng);
        const auto map = UidRangeMap::from_rules(extents);
        REQUIRE(map.extents().size() == n);
        std::uniform_int_distribution<std::uint32_t> near(0, 1200000);
        std::uniform_int_distribution<std::uint32_t> any(0, 4294967295u);
        for (int i = 0; i < 20000; ++i) {
            const std::uint32_t id = i % 10 == 0 ? any(rng) : near(rng);
            INFO("n = " << n << ", id = " << id);
            REQUIRE(storage_of(map, id) == brute_to_storage(extents, id));
            REQUIRE(mount_of(map, id) == brute_to_mount(extents, id));
        }
        // Every first and last id of every extent, and the ids just outside.
        for (const RuleExtent& e : extents) {
            for (const std::uint32_t id : {e.mount_first, e.mount_first + e.count - 1,
                                           e.mount_first - 1, e.mount_first + e.count}) {
                REQUIRE(storage_of(map, id) == brute_to_storage(extents, id));
            }
            for (const std::uint32_t id : {e.storage_first, e.storage_first + e.count - 1,
                                           e.storage_first - 1, e.storage_first + e.count}) {
                REQUIRE(mount_of(map, id) == brute_to_mount(extents, id));
            }
        }
    }
}

TEST_CASE("range map: the indexed path handles 0 and the top of the id space") {
    std::vector<RuleExtent> extents;
    for (std::uint32_t i = 0; i < 8; ++i)
        extents.push_back({i * 10, 4294967294u - i * 10, 1});
    extents.push_back({4294967294u, 100, 1});
    const auto map = UidRangeMap::from_rules(extents);
    CHECK(storage_of(map, 0) == 4294967294u);
    CHECK(mount_of(map, 4294967294u) == 0u);
    CHECK(storage_of(map, 4294967294u) == 100u);
    CHECK(mount_of(map, 100) == 4294967294u);
    CHECK(storage_of(map, 4294967295u) == std::nullopt);
    CHECK(mount_of(map, 4294967295u) == std::nullopt);
    CHECK(storage_of(map, 1) == std::nullopt);
    CHECK(mount_of(map, 4294967293u) == std::nullopt);
}

TEST_CASE("range map: extents() keeps insertion order") {
    const auto map = UidRangeMap::from_rules({{10, 20, 1}, {0, 30, 1}});
    REQUIRE(map.extents().size() == 2);
    CHECK(map.extents()[0].rule() == RuleExtent{10, 20, 1});
    CHECK(map.extents()[1].rule() == RuleExtent{0, 30, 1});
}

}  // namespace
}  // namespace idshift::idmap

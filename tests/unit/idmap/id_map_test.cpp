#include "idshift/idmap/id_map.hpp"

#include <catch2/catch.hpp>

namespace idshift::idmap {
namespace {

IdMap container_map(Policy policy = {}) {
    return IdMap(UidRangeMap::from_rules({{0, 100000, 65536}}),
                 GidRangeMap::from_rules({{0, 200000, 65536}}), policy);
}

TEST_CASE("id map: every id of the range round-trips, uids and gids apart") {
    const IdMap map = container_map();
    for (std::uint32_t id = 0; id < 65536; ++id) {
        REQUIRE(map.to_mount(StorageUid{100000 + id}) == MountUid{id});
        REQUIRE(map.to_mount(StorageGid{200000 + id}) == MountGid{id});
        REQUIRE(map.find_storage(MountUid{id}) == StorageUid{100000 + id});
        REQUIRE(map.find_storage(MountGid{id}) == StorageGid{200000 + id});
        REQUIRE(map.to_storage_for_write(MountUid{id}) == StorageUid{100000 + id});
        REQUIRE(map.to_storage_for_write(MountGid{id}) == StorageGid{200000 + id});
    }
    // A uid range does not answer for gids.
    CHECK(map.find_mount(StorageGid{100000}) == std::nullopt);
    CHECK(map.find_mount(StorageUid{200000}) == std::nullopt);
}

TEST_CASE("id map: an uncovered storage id reads as the unmapped-read id") {
    CHECK(container_map().to_mount(StorageUid{5}) == MountUid{65534});
    CHECK(container_map().to_mount(StorageGid{5}) == MountGid{65534});
    Policy policy;
    policy.unmapped_read_uid = MountUid{4242};
    policy.unmapped_read_gid = MountGid{4343};
    const IdMap map = container_map(policy);
    CHECK(map.to_mount(StorageUid{99999}) == MountUid{4242});
    CHECK(map.to_mount(StorageUid{165536}) == MountUid{4242});
    CHECK(map.to_mount(StorageGid{4294967294u}) == MountGid{4343});
    CHECK(map.to_mount(StorageUid{4294967295u}) == MountUid{4242});
    CHECK(map.find_mount(StorageUid{99999}) == std::nullopt);
    CHECK(map.find_mount(StorageUid{100000}) == MountUid{0});
}

TEST_CASE("id map: deny refuses a write of an uncovered id") {
    const IdMap map = container_map();
    CHECK(map.policy().unmapped_write == UnmappedWrite::deny);
    CHECK(map.to_storage_for_write(MountUid{65536}) == std::nullopt);
    CHECK(map.to_storage_for_write(MountGid{4294967294u}) == std::nullopt);
    CHECK(map.find_storage(MountUid{65536}) == std::nullopt);
}

TEST_CASE("id map: squash stores an uncovered id as the squash ids") {
    Policy policy;
    policy.unmapped_write = UnmappedWrite::squash;
    policy.squash_uid = StorageUid{165534};
    policy.squash_gid = StorageGid{265534};
    const IdMap map = container_map(policy);
    CHECK(map.to_storage_for_write(MountUid{65536}) == StorageUid{165534});
    CHECK(map.to_storage_for_write(MountGid{70000}) == StorageGid{265534});
    CHECK(map.to_storage_for_write(MountUid{4294967294u}) == StorageUid{165534});
    // Covered ids are unaffected, and lookups without policy still say "not covered".
    CHECK(map.to_storage_for_write(MountUid{1}) == StorageUid{100001});
    CHECK(map.find_storage(MountUid{65536}) == std::nullopt);
}

TEST_CASE("id map: -1 is never written, not even squashed") {
    Policy policy;
    policy.unmapped_write = UnmappedWrite::squash;
    const IdMap squashing = container_map(policy);
    CHECK(squashing.to_storage_for_write(MountUid{kInvalidId}) == std::nullopt);
    CHECK(squashing.to_storage_for_write(MountGid{kInvalidId}) == std::nullopt);
    const IdMap identity(UidRangeMap::from_rules({{0, 0, 4294967295u}}),
                         GidRangeMap::from_rules({{0, 0, 4294967295u}}), {});
    CHECK(identity.to_storage_for_write(MountUid{kInvalidId}) == std::nullopt);
    CHECK(identity.to_storage_for_write(MountUid{4294967294u}) == StorageUid{4294967294u});
}

TEST_CASE("id map: keeps its origins and policy") {
    const std::vector<RuleOrigin> origins = {
        {Kind::uid, {0, 100000, 65536}, "web.map", 2, "uid 0 100000 65536"}};
    const IdMap map(UidRangeMap::from_rules({{0, 100000, 65536}}), GidRangeMap(), Policy{},
                    origins);
    REQUIRE(map.origins().size() == 1);
    CHECK(map.origins()[0].line == 2);
    CHECK(map.origins()[0].text == "uid 0 100000 65536");
    CHECK(map.gids().empty());
    CHECK(map.policy() == Policy{});
}

}  // namespace
}  // namespace idshift::idmap

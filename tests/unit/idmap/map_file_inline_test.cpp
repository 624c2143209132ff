// The inline command-line forms uidmap=/gidmap=.
#include <catch2/catch.hpp>

#include "idshift/idmap/map_file.hpp"
#include "test_support.hpp"

namespace idshift::idmap {
namespace {

using Lines = std::vector<std::string>;
using test::error_lines;

TEST_CASE("inline map: several triplets per kind, in /proc/PID/uid_map order") {
    const MapLoad load = parse_inline_map("0:100000:65536:70000:1000:1", "0:200000:65536");
    REQUIRE(error_lines(load) == Lines{});
    const IdMap& map = *load.map;
    CHECK(map.find_storage(MountUid{65535}) == StorageUid{165535});
    CHECK(map.find_storage(MountUid{70000}) == StorageUid{1000});
    CHECK(map.find_storage(MountGid{1}) == StorageGid{200001});
    CHECK(map.find_storage(MountGid{70000}) == std::nullopt);
    REQUIRE(map.origins().size() == 3);
    CHECK(map.origins()[1].file == "uidmap=");
    CHECK(map.origins()[1].line == 0);
    CHECK(map.origins()[1].text == "triplet 2 (70000:1000:1)");
    CHECK(map.origins()[2].file == "gidmap=");
}

TEST_CASE("inline map: an empty side has no rules, and the policy is kept") {
    Policy policy;
    policy.unmapped_write = UnmappedWrite::squash;
    policy.squash_uid = StorageUid{7};
    const MapLoad load = parse_inline_map("", "", policy);
    REQUIRE(load.ok());
    CHECK(load.map->uids().empty());
    CHECK(load.map->gids().empty());
    CHECK(load.map->policy() == policy);
}

TEST_CASE("inline map: errors name the option and the triplet") {
    CHECK(error_lines(parse_inline_map("0:100000", "1:2:3:4")) ==
          Lines{
              "uidmap=: expected MOUNT:STORAGE:COUNT triplets, but got 2 numbers (not a multiple "
              "of 3)",
              "gidmap=: expected MOUNT:STORAGE:COUNT triplets, but got 4 numbers (not a multiple "
              "of 3)",
          });
    CHECK(error_lines(parse_inline_map("0:100000:65536:x:1:0:5:-1:1", "4294967294:0:2")) ==
          Lines{
              "uidmap=: triplet 2 (x:1:0): mount uid 'x' is not a decimal number",
              "uidmap=: triplet 2 (x:1:0): count must be at least 1 (got 0)",
              "uidmap=: triplet 3 (5:-1:1): storage uid 4294967295 (-1) is not a valid id",
              "gidmap=: triplet 1 (4294967294:0:2): range of 2 ids from mount gid 4294967294 runs "
              "past 4294967294 (the largest valid id)",
          });
    CHECK(error_lines(parse_inline_map("0:100000:65536:10:5:1:70000:100010:1", "")) ==
          Lines{
              "uidmap=: triplet 2 (10:5:1): mount uid 10 overlaps triplet 1 (0:100000:65536)",
              "uidmap=: triplet 3 (70000:100010:1): storage uid 100010 overlaps triplet 1 "
              "(0:100000:65536)",
          });
    CHECK(error_lines(parse_inline_map(":", "")) ==
          Lines{"uidmap=: expected MOUNT:STORAGE:COUNT triplets, but got 2 numbers (not a "
                "multiple of 3)"});
}

}  // namespace
}  // namespace idshift::idmap

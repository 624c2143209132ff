// describe(): the table `idshift check` prints.
#include <catch2/catch.hpp>

#include "idshift/idmap/map_file.hpp"
#include "test_support.hpp"

namespace idshift::idmap {
namespace {

TEST_CASE("describe: one aligned line per rule, sorted by kind and mount id, then policies") {
    test::FakeResolver resolver;
    resolver.users = {{"alice", 1001}};
    const MapLoad load = parse_map_text(
        "gid 0 100000 65536\n"
        "uid 70000 1000\n"
        "uid 0 100000 1000\n"
        "passwd image/passwd\n"
        "user app = alice\n",
        test::data_path("web.map"), resolver);
    REQUIRE(test::error_lines(load) == std::vector<std::string>{});
    const std::string f = test::data_path("web.map");
    // One table row per source line reads better than reflowed strings.
    // clang-format off
    const std::string expected =
        "uid  mount 0-999   -> storage 100000-100999  (1000 ids)   " + f + ":3  uid 0 100000 1000\n" +
        "uid  mount 1000    -> storage 1001           (1 id)       " + f + ":5  user app = alice\n" +
        "uid  mount 70000   -> storage 1000           (1 id)       " + f + ":2  uid 70000 1000\n" +
        "gid  mount 0-65535 -> storage 100000-165535  (65536 ids)  " + f + ":1  gid 0 100000 65536\n" +
        "unmapped-read   a storage uid no rule covers reads as 65534, a storage gid as 65534\n"
        "unmapped-write  deny: writing an id no rule covers fails (EOVERFLOW; EINVAL in an ACL)\n";
    // clang-format on
    CHECK(describe(*load.map) == expected);
}

TEST_CASE("describe: squash, custom unmapped-read and a map without rules") {
    Policy policy;
    policy.unmapped_read_uid = MountUid{4242};
    policy.unmapped_read_gid = MountGid{4343};
    policy.unmapped_write = UnmappedWrite::squash;
    policy.squash_uid = StorageUid{165534};
    policy.squash_gid = StorageGid{165535};
    CHECK(describe(IdMap(UidRangeMap(), GidRangeMap(), policy)) ==
          "no rules: every storage id is unmapped\n"
          "unmapped-read   a storage uid no rule covers reads as 4242, a storage gid as 4343\n"
          "unmapped-write  squash: an id no rule covers is stored as storage uid 165534, gid "
          "165535\n");
}

TEST_CASE("describe: a map built in code shows its extents without a source") {
    const IdMap map(UidRangeMap::from_rules({{5, 6, 1}}),
                    GidRangeMap::from_rules({{0, 4294967294u, 1}}), {});
    CHECK(describe(map) ==
          "uid  mount 5 -> storage 6           (1 id)\n"
          "gid  mount 0 -> storage 4294967294  (1 id)\n"
          "unmapped-read   a storage uid no rule covers reads as 65534, a storage gid as 65534\n"
          "unmapped-write  deny: writing an id no rule covers fails (EOVERFLOW; EINVAL in an "
          "ACL)\n");
}

TEST_CASE("describe: the whole id space prints its last id without overflowing") {
    const MapLoad load = parse_inline_map("0:0:4294967295", "");
    REQUIRE(load.ok());
    CHECK(describe(*load.map).starts_with(
        "uid  mount 0-4294967294 -> storage 0-4294967294  (4294967295 ids)  uidmap=  triplet 1 "
        "(0:0:4294967295)\n"));
}

}  // namespace
}  // namespace idshift::idmap

// Map files: ranges, policies, syntax errors and overlaps. Names: map_file_names_test.cpp.
#include "idshift/idmap/map_file.hpp"

#include <catch2/catch.hpp>

#include "test_support.hpp"

namespace idshift::idmap {
namespace {

using Lines = std::vector<std::string>;
using test::error_lines;

MapLoad parse(std::string_view text) {
    const test::FakeResolver no_names;
    return parse_map_text(text, "web.map", no_names);
}

// The errors of a map that must be rejected.
Lines errors_of(std::string_view text) {
    const MapLoad load = parse(text);
    CHECK_FALSE(load.ok());
    return error_lines(load);
}

TEST_CASE("map file: ranges, comments, blank lines and defaults") {
    const MapLoad load = parse(
        "# web.map\n"
        "uid 0 100000 65536   # the container's ids\n"
        "\n"
        "\tgid\t0  100000\t65536\n"
        "uid 70000 1000\r\n");
    REQUIRE(load.ok());
    CHECK(load.errors.empty());
    const IdMap& map = *load.map;
    CHECK(map.find_storage(MountUid{0}) == StorageUid{100000});
    CHECK(map.find_storage(MountUid{65535}) == StorageUid{165535});
    CHECK(map.find_storage(MountUid{70000}) == StorageUid{1000});
    CHECK(map.find_storage(MountUid{70001}) == std::nullopt);
    CHECK(map.find_mount(StorageGid{165535}) == MountGid{65535});
    CHECK(map.policy() == Policy{});  // unmapped-read 65534, unmapped-write deny

    REQUIRE(map.origins().size() == 3);
    CHECK(map.origins()[0].kind == Kind::uid);
    CHECK(map.origins()[0].extent == RuleExtent{0, 100000, 65536});
    CHECK(map.origins()[0].file == "web.map");
    CHECK(map.origins()[0].line == 2);
    CHECK(map.origins()[0].text == "uid 0 100000 65536");
    CHECK(map.origins()[1].line == 4);
    CHECK(map.origins()[1].text == "gid 0 100000 65536");
    CHECK(map.origins()[2].extent == RuleExtent{70000, 1000, 1});
    CHECK(map.origins()[2].text == "uid 70000 1000");
}

TEST_CASE("map file: an empty map is valid and maps nothing") {
    const MapLoad load = parse("# nothing yet\n\n");
    REQUIRE(load.ok());
    CHECK(load.map->uids().empty());
    CHECK(load.map->gids().empty());
    CHECK(load.map->to_mount(StorageUid{0}) == MountUid{65534});
}

TEST_CASE("map file: boundary ids") {
    const MapLoad load = parse(
        "uid 0 4294967294\n"
        "uid 4294967294 0\n"
        "gid 0 0 4294967295\n");
    REQUIRE(load.ok());
    CHECK(load.map->find_storage(MountUid{0}) == StorageUid{4294967294u});
    CHECK(load.map->find_storage(MountUid{4294967294u}) == StorageUid{0});
    CHECK(load.map->find_storage(MountGid{4294967294u}) == StorageGid{4294967294u});
    CHECK(load.map->find_storage(MountGid{4294967295u}) == std::nullopt);

    CHECK(errors_of("uid 4294967295 0\n") ==
          Lines{"web.map:1: mount uid 4294967295 (-1) is not a valid id"});
    CHECK(errors_of("gid 0 -1\n") ==
          Lines{"web.map:1: storage gid 4294967295 (-1) is not a valid id"});
    CHECK(errors_of("uid 4294967296 0\n") ==
          Lines{"web.map:1: mount uid '4294967296' is too large (the largest id is 4294967294)"});
    CHECK(errors_of("uid 0 0 4294967296\n") ==
          Lines{"web.map:1: count '4294967296' is too large (at most 4294967295)"});
    CHECK(errors_of("uid 1 0 4294967295\n") ==
          Lines{"web.map:1: range of 4294967295 ids from mount uid 1 runs past 4294967294 (the "
                "largest valid id)"});
    CHECK(errors_of("gid 0 4294967290 10\n") ==
          Lines{"web.map:1: range of 10 ids from storage gid 4294967290 runs past 4294967294 (the "
                "largest valid id)"});
    CHECK(errors_of("uid 4294967294 0 2\n") ==
          Lines{"web.map:1: range of 2 ids from mount uid 4294967294 runs past 4294967294 (the "
                "largest valid id)"});
}

TEST_CASE("map file: every syntax error of a range line, each with its line") {
    CHECK(errors_of("uid 0 100000 0\n"
                    "uid\n"
                    "gid 5\n"
                    "uid 1 2 3 4\n"
                    "uid abc 0x10 +3\n"
                    "gid 1,000 2 1\n") ==
          Lines{
              "web.map:1: count must be at least 1 (got 0)",
              "web.map:2: 'uid' needs a mount id and a storage id: uid MOUNT STORAGE [COUNT]",
              "web.map:3: 'gid' needs a mount id and a storage id: gid MOUNT STORAGE [COUNT]",
              "web.map:4: 'uid' takes at most three numbers (MOUNT STORAGE COUNT); unexpected '4'",
              "web.map:5: mount uid 'abc' is not a decimal number",
              "web.map:5: storage uid '0x10' is not a decimal number",
              "web.map:5: count '+3' is not a decimal number",
              "web.map:6: mount gid '1,000' is not a decimal number",
          });
}

TEST_CASE("map file: unknown keywords name the token") {
    CHECK(errors_of("uid 0 100000 65536\nuidmap 0 1 2\n") ==
          Lines{"web.map:2: unknown keyword 'uidmap' (expected uid, gid, user, group, passwd, "
                "storage-passwd, storage-group, names, unmapped-read or unmapped-write)"});
}

TEST_CASE("map file: unmapped-read and unmapped-write") {
    SECTION("unmapped-read with one id sets both") {
        const MapLoad load = parse("unmapped-read 4242\n");
        REQUIRE(load.ok());
        CHECK(load.map->policy().unmapped_read_uid == MountUid{4242});
        CHECK(load.map->policy().unmapped_read_gid == MountGid{4242});
    }
    SECTION("unmapped-read with two ids and squash with two ids") {
        const MapLoad load =
            parse("unmapped-read 65534 65533\nunmapped-write squash:100000:100001\n");
        REQUIRE(load.ok());
        const Policy& p = load.map->policy();
        CHECK(p.unmapped_read_uid == MountUid{65534});
        CHECK(p.unmapped_read_gid == MountGid{65533});
        CHECK(p.unmapped_write == UnmappedWrite::squash);
        CHECK(p.squash_uid == StorageUid{100000});
        CHECK(p.squash_gid == StorageGid{100001});
        CHECK(load.map->to_storage_for_write(MountGid{7}) == StorageGid{100001});
    }
    SECTION("squash with one id sets both") {
        const MapLoad load = parse("unmapped-write squash:165534\n");
        REQUIRE(load.ok());
        CHECK(load.map->policy().squash_uid == StorageUid{165534});
        CHECK(load.map->policy().squash_gid == StorageGid{165534});
    }
    SECTION("deny") {
        const MapLoad load = parse("unmapped-write deny\n");
        REQUIRE(load.ok());
        CHECK(load.map->policy().unmapped_write == UnmappedWrite::deny);
    }
}

TEST_CASE("map file: every policy error") {
    CHECK(
        errors_of("unmapped-read\n"
                  "unmapped-read 1 2 3\n"
                  "unmapped-read x\n"
                  "unmapped-read 1 -1\n"
                  "unmapped-write\n"
                  "unmapped-write deny squash:1\n"
                  "unmapped-write allow\n"
                  "unmapped-write squash:x\n"
                  "unmapped-write squash:1:4294967295\n"
                  "unmapped-write squash\n") ==
        Lines{
            "web.map:1: 'unmapped-read' needs an id: unmapped-read UID [GID]",
            "web.map:2: 'unmapped-read' takes at most two ids (UID GID); unexpected '3'",
            "web.map:3: unmapped-read uid 'x' is not a decimal number",
            "web.map:4: unmapped-read gid 4294967295 (-1) is not a valid id",
            "web.map:5: 'unmapped-write' needs a policy: deny or squash:UID[:GID]",
            "web.map:6: 'unmapped-write' takes one policy; unexpected 'squash:1'",
            "web.map:7: unknown unmapped-write policy 'allow' (expected deny or squash:UID[:GID])",
            "web.map:8: squash uid 'x' is not a decimal number",
            "web.map:9: squash gid 4294967295 (-1) is not a valid id",
            "web.map:10: unknown unmapped-write policy 'squash' (expected deny or "
            "squash:UID[:GID])",
        });
}

TEST_CASE("map file: a directive that may appear once, given twice, names both lines") {
    CHECK(errors_of("unmapped-read 1\n"
                    "unmapped-write deny\n"
                    "unmapped-read 2\n"
                    "unmapped-write squash:5\n") ==
          Lines{
              "web.map:3: 'unmapped-read' is already given at line 1",
              "web.map:4: 'unmapped-write' is already given at line 2",
          });
}

TEST_CASE("map file: overlaps on the mount side name both rules") {
    CHECK(errors_of("# ranges\n"
                    "\n"
                    "uid 0 100000 65536\n"
                    "uid 1000 1000\n"
                    "uid 65530 200000 10\n") ==
          Lines{
              "web.map:4: mount uid 1000 overlaps the rule at line 3 (uid 0 100000 65536)",
              "web.map:5: mount uids 65530-65539 overlap the rule at line 3 (uid 0 100000 65536)",
          });
}

TEST_CASE("map file: overlaps on the storage side name both rules") {
    CHECK(errors_of("gid 0 100000 65536\ngid 70000 100005\ngid 80000 99990 20\n") ==
          Lines{
              "web.map:2: storage gid 100005 overlaps the rule at line 1 (gid 0 100000 65536)",
              "web.map:3: storage gids 99990-100009 overlap the rule at line 1 (gid 0 100000 "
              "65536)",
          });
}

TEST_CASE("map file: overlaps on both sides, with one rule or two") {
    CHECK(errors_of("uid 0 100000 65536\nuid 10 100010\n") ==
          Lines{"web.map:2: mount uid 10 and storage uid 100010 overlap the rule at line 1 (uid 0 "
                "100000 65536)"});
    CHECK(errors_of("uid 0 100000 10\nuid 20 20 10\nuid 5 25 3\n") ==
          Lines{
              "web.map:3: mount uids 5-7 overlap the rule at line 1 (uid 0 100000 10)",
              "web.map:3: storage uids 25-27 overlap the rule at line 2 (uid 20 20 10)",
          });
}

TEST_CASE("map file: a rule that overlaps several reports the lowest, and is then ignored") {
    // Line 3 overlaps lines 1 and 2; line 4 only overlaps line 3, which was rejected.
    CHECK(errors_of("uid 10 1000 10\nuid 30 2000 10\nuid 0 5000 100\nuid 50 5050\n") ==
          Lines{"web.map:3: mount uids 0-99 overlap the rule at line 1 (uid 10 1000 10)"});
}

TEST_CASE("map file: touching ranges and the same ids as uid and gid are fine") {
    const MapLoad load = parse(
        "uid 0 100000 1000\n"
        "uid 1000 101000 1000\n"  // touches on both sides
        "uid 2000 99000 1000\n"   // ends where line 1 starts on the storage side
        "gid 0 100000 1000\n");   // gids are a separate space
    REQUIRE(load.ok());
    CHECK(load.map->find_storage(MountUid{999}) == StorageUid{100999});
    CHECK(load.map->find_storage(MountUid{1000}) == StorageUid{101000});
    CHECK(load.map->find_storage(MountUid{2999}) == StorageUid{99999});
    CHECK(load.map->find_mount(StorageUid{100000}) == MountUid{0});
}

TEST_CASE("map file: all errors of a file are reported, in line order") {
    CHECK(errors_of("uid 0 100000 65536\n"
                    "frobnicate\n"
                    "uid 5 5\n"
                    "gid x 1\n"
                    "unmapped-write maybe\n") ==
          Lines{
              "web.map:2: unknown keyword 'frobnicate' (expected uid, gid, user, group, passwd, "
              "storage-passwd, storage-group, names, unmapped-read or unmapped-write)",
              "web.map:3: mount uid 5 overlaps the rule at line 1 (uid 0 100000 65536)",
              "web.map:4: mount gid 'x' is not a decimal number",
              "web.map:5: unknown unmapped-write policy 'maybe' (expected deny or "
              "squash:UID[:GID])",
          });
}

TEST_CASE("map file: the 1000-rule map the benchmark uses loads") {
    std::string text;
    for (std::uint32_t i = 0; i < 1000; ++i) {
        text += "uid " + std::to_string(i * 3) + " " + std::to_string(500000 - i * 7) + " 2\n";
    }
    const MapLoad load = parse(text);
    REQUIRE(load.ok());
    CHECK(load.map->uids().extents().size() == 1000);
    CHECK(load.map->find_storage(MountUid{2998}) == StorageUid{500000 - 999 * 7 + 1});
    CHECK(load.map->find_storage(MountUid{2}) == std::nullopt);
}

TEST_CASE("map file: load_map_file reads the file or says why not") {
    const test::FakeResolver no_names;
    const MapLoad missing = load_map_file(test::data_path("missing.map"), no_names);
    CHECK_FALSE(missing.ok());
    CHECK(error_lines(missing) ==
          Lines{test::data_path("missing.map") + ": cannot read: No such file or directory"});

    const MapLoad good = load_map_file(test::data_path("names.map"), no_names);
    CHECK(good.ok());
}

}  // namespace
}  // namespace idshift::idmap

#include "idshift/idmap/userns_map.hpp"

#include <catch2/catch.hpp>

#include "idshift/idmap/map_file.hpp"
#include "test_support.hpp"

namespace idshift::idmap {
namespace {

using Lines = std::vector<std::string>;

Lines strings(const ParseErrors& errors) {
    Lines lines;
    for (const ParseError& e : errors)
        lines.push_back(e.to_string());
    return lines;
}

TEST_CASE("userns map: parses the kernel's padded columns, inside id first") {
    ParseErrors errors;
    const auto extents = parse_proc_id_map(
        "         0     100000      65536\n"
        "     65536       1000          1\n"
        "\t1 2 3",  // tabs and no final newline
        "/proc/42/uid_map", errors);
    CHECK(errors.empty());
    CHECK(extents == std::vector<RuleExtent>{{0, 100000, 65536}, {65536, 1000, 1}, {1, 2, 3}});
}

TEST_CASE("userns map: the initial namespace's whole-range map is valid") {
    ParseErrors errors;
    const auto extents =
        parse_proc_id_map("         0          0 4294967295\n", "/proc/1/uid_map", errors);
    CHECK(errors.empty());
    CHECK(extents == std::vector<RuleExtent>{{0, 0, 4294967295u}});
}

TEST_CASE("userns map: an empty map (namespace not set up yet) has no extents") {
    ParseErrors errors;
    CHECK(parse_proc_id_map("", "/proc/42/gid_map", errors).empty());
    CHECK(errors.empty());
}

TEST_CASE("userns map: every malformed line is reported") {
    ParseErrors errors;
    const auto extents = parse_proc_id_map(
        "0 100000\n"
        "0 100000 65536 7\n"
        "x 100000 1\n"
        "0 -1 1\n"
        "0 5 0\n"
        "0 4294967290 10\n"
        "5 6 7\n",
        "/proc/42/uid_map", errors);
    CHECK(strings(errors) ==
          Lines{
              "/proc/42/uid_map:1: expected 'INSIDE OUTSIDE COUNT', but the line has 2 fields",
              "/proc/42/uid_map:2: expected 'INSIDE OUTSIDE COUNT', but the line has 4 fields",
              "/proc/42/uid_map:3: inside id 'x' is not a decimal number",
              "/proc/42/uid_map:4: outside id 4294967295 (-1) is not a valid id",
              "/proc/42/uid_map:5: count must be at least 1 (got 0)",
              "/proc/42/uid_map:6: range of 10 ids from 4294967290 runs past 4294967294 (the "
              "largest valid id)",
          });
    CHECK(extents == std::vector<RuleExtent>{{5, 6, 7}});
}

TEST_CASE("userns map: renders outside ids as the mount side, inside ids as storage") {
    const std::string text =
        render_userns_map(4242, {{0, 100000, 65536}}, {{0, 100000, 65536}, {65536, 1000, 1}});
    CHECK(text ==
          "# idshift map for the user namespace of process 4242, from /proc/4242/uid_map and "
          "gid_map.\n"
          "# Mount side: the host ids the kernel presents for the namespace's processes "
          "(outside).\n"
          "# Storage side: the ids as the namespace sees them (inside), so the container's root\n"
          "# stores files as storage uid 0, as it would on a volume of its own.\n"
          "uid 100000 0 65536\n"
          "gid 100000 0 65536\n"
          "gid 1000 65536 1\n"
          "unmapped-read  65534   # storage ids outside the namespace's range read as nobody\n"
          "unmapped-write deny    # ids outside it cannot be written (EOVERFLOW)\n");
}

TEST_CASE("userns map: the rendered map loads and stores the container's root as 0") {
    ParseErrors errors;
    const auto uids = parse_proc_id_map("0 100000 65536\n", "uid_map", errors);
    const auto gids = parse_proc_id_map("0 200000 65536\n", "gid_map", errors);
    REQUIRE(errors.empty());
    const test::FakeResolver no_names;
    const MapLoad load = parse_map_text(render_userns_map(7, uids, gids), "userns.map", no_names);
    REQUIRE(test::error_lines(load) == Lines{});
    // The container's root reaches the daemon as host uid 100000 and is stored as 0.
    CHECK(load.map->to_storage_for_write(MountUid{100000}) == StorageUid{0});
    CHECK(load.map->to_storage_for_write(MountGid{265535}) == StorageGid{65535});
    CHECK(load.map->to_mount(StorageUid{0}) == MountUid{100000});
    CHECK(load.map->to_mount(StorageUid{65536}) == MountUid{65534});
}

}  // namespace
}  // namespace idshift::idmap

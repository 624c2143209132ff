// Map files: user/group rules, the passwd/group databases and `names auto`.
#include <catch2/catch.hpp>

#include "idshift/idmap/map_file.hpp"
#include "test_support.hpp"

namespace idshift::idmap {
namespace {

using Lines = std::vector<std::string>;
using test::data_path;
using test::error_lines;

// The map "lives" in tests/data/idmap so that relative database paths resolve there.
const std::string kMap = data_path("web.map");

MapLoad parse(std::string_view text, const NameResolver& resolver) {
    return parse_map_text(text, kMap, resolver);
}

Lines errors_of(std::string_view text, const NameResolver& resolver = test::FakeResolver{}) {
    const MapLoad load = parse(text, resolver);
    CHECK_FALSE(load.ok());
    return error_lines(load);
}

constexpr std::string_view kDatabases =
    "passwd image/passwd\n"
    "group ./image/group\n"
    "storage-passwd storage/passwd\n"
    "storage-group storage/group\n";

TEST_CASE("map names: explicit rules and names auto between image and storage files") {
    const test::FakeResolver no_names;
    const MapLoad load = load_map_file(data_path("names.map"), no_names);
    REQUIRE(error_lines(load) == Lines{});
    const IdMap& m = *load.map;
    // Explicit: app = alice (uid and gid), staff = devs.
    CHECK(m.find_storage(MountUid{1000}) == StorageUid{1001});
    CHECK(m.find_storage(MountGid{1000}) == StorageGid{1001});
    CHECK(m.find_storage(MountGid{50}) == StorageGid{2000});
    // Auto: names on both sides map to each other's ids.
    CHECK(m.find_storage(MountUid{0}) == StorageUid{0});
    CHECK(m.find_storage(MountUid{1}) == StorageUid{1});
    CHECK(m.find_storage(MountUid{33}) == StorageUid{33});
    CHECK(m.find_storage(MountUid{999}) == StorageUid{114});  // postgres differs by id
    CHECK(m.find_storage(MountUid{65534}) == StorageUid{65534});
    CHECK(m.find_storage(MountGid{999}) == StorageGid{120});
    CHECK(m.find_storage(MountGid{65534}) == StorageGid{65534});
    // alice has no image entry and app no storage entry: nothing else is mapped.
    CHECK(m.find_mount(StorageUid{114}) == MountUid{999});
    CHECK(m.uids().extents().size() == 7);  // range, app, root, daemon, www-data, postgres, nobody
    CHECK(m.gids().extents().size() == 7);  // app, staff, root, daemon, www-data, postgres, nogroup
    CHECK(m.policy().unmapped_write == UnmappedWrite::squash);

    const std::vector<RuleOrigin>& o = m.origins();
    REQUIRE(o.size() == 14);
    CHECK(o[1].text == "user app = alice");
    CHECK(o[1].line == 7);
    CHECK(o[4].text == "names auto: user root");
    CHECK(o[4].line == 10);
    CHECK(o[4].extent == RuleExtent{0, 0, 1});
    CHECK(o[13].text == "names auto: group nogroup");
    CHECK(o[13].kind == Kind::gid);
}

TEST_CASE("map names: order does not matter, databases may come last") {
    const test::FakeResolver no_names;
    const MapLoad load = parse(
        "user app = alice\ngroup staff = devs\nnames auto\n" + std::string(kDatabases), no_names);
    REQUIRE(error_lines(load) == Lines{});
    CHECK(load.map->find_storage(MountUid{1000}) == StorageUid{1001});
    CHECK(load.map->find_storage(MountGid{50}) == StorageGid{2000});
}

TEST_CASE("map names: `user NAME` alone maps a name to itself, and numbers need no database") {
    const test::FakeResolver no_names;
    const MapLoad load = parse(std::string(kDatabases) +
                                   "user www-data\n"
                                   "group postgres\n"
                                   "user 5000 = 6000\n"
                                   "group 5000 = devs\n",
                               no_names);
    REQUIRE(error_lines(load) == Lines{});
    CHECK(load.map->find_storage(MountUid{33}) == StorageUid{33});
    CHECK(load.map->find_storage(MountGid{999}) == StorageGid{120});
    CHECK(load.map->find_storage(MountUid{5000}) == StorageUid{6000});
    CHECK(load.map->find_storage(MountGid{5000}) == StorageGid{2000});
    CHECK(load.map->origins()[0].text == "user www-data");
}

TEST_CASE("map names: storage names go through the NameResolver without storage files") {
    test::FakeResolver resolver;
    resolver.users = {{"alice", 5001}, {"www-data", 82}, {"root", 0}};
    resolver.groups = {{"devs", 6000}};
    const MapLoad load = parse(
        "passwd image/passwd\ngroup image/group\n"
        "user app = alice\ngroup staff = devs\nnames auto\n",
        resolver);
    REQUIRE(error_lines(load) == Lines{});
    CHECK(load.map->find_storage(MountUid{1000}) == StorageUid{5001});
    CHECK(load.map->find_storage(MountGid{50}) == StorageGid{6000});
    CHECK(load.map->find_storage(MountUid{33}) == StorageUid{82});  // auto, via the resolver
    CHECK(load.map->find_storage(MountUid{0}) == StorageUid{0});
    CHECK(load.map->uids().extents().size() == 3);  // daemon, postgres, nobody are unknown there
    CHECK(load.map->gids().extents().size() == 1);
}

TEST_CASE("map names: names auto skips names an explicit rule covers, on either side") {
    const test::FakeResolver no_names;
    const MapLoad load = parse(std::string(kDatabases) +
                                   "uid 0 50000\n"   // covers mount 0: root is skipped
                                   "uid 70000 33\n"  // covers storage 33: www-data is skipped
                                   "names auto\n",
                               no_names);
    REQUIRE(error_lines(load) == Lines{});
    CHECK(load.map->find_storage(MountUid{0}) == StorageUid{50000});
    CHECK(load.map->find_mount(StorageUid{33}) == MountUid{70000});
    CHECK(load.map->find_storage(MountUid{33}) == std::nullopt);
    CHECK(load.map->find_mount(StorageUid{0}) == std::nullopt);
    CHECK(load.map->find_storage(MountUid{1}) == StorageUid{1});  // daemon is still mapped
}

TEST_CASE("map names: of two names that collide, names auto keeps the first") {
    test::FakeResolver resolver;
    // toor shares root's mount id; bob would share alice's storage id.
    resolver.users = {{"root", 0}, {"toor", 7}, {"alice", 1001}, {"bob", 1001}};
    const MapLoad load = parse("passwd collide/passwd\nnames auto\n", resolver);
    REQUIRE(error_lines(load) == Lines{});
    CHECK(load.map->uids().extents().size() == 2);
    CHECK(load.map->find_storage(MountUid{0}) == StorageUid{0});
    CHECK(load.map->find_mount(StorageUid{7}) == std::nullopt);
    CHECK(load.map->find_storage(MountUid{1001}) == StorageUid{1001});
    CHECK(load.map->find_storage(MountUid{1002}) == std::nullopt);
}

TEST_CASE("map names: names auto with only a passwd file maps users only") {
    test::FakeResolver resolver;
    resolver.users = {{"root", 0}};
    resolver.groups = {{"root", 0}};
    const MapLoad load = parse("passwd image/passwd\nnames auto\n", resolver);
    REQUIRE(error_lines(load) == Lines{});
    CHECK(load.map->uids().extents().size() == 1);
    CHECK(load.map->gids().empty());
}

TEST_CASE("map names: names not found, with the database they were looked up in") {
    test::FakeResolver resolver;
    resolver.users = {{"ghost", 4294967295u}};
    CHECK(errors_of(std::string(kDatabases) + "user nosuch = alice\n"
                                              "user app = nosuch\n"
                                              "group nosuch = nosuch\n",
                    resolver) ==
          Lines{
              kMap + ":5: user 'nosuch' not found in " + data_path("image/passwd"),
              kMap + ":6: storage user 'nosuch' not found in " + data_path("storage/passwd"),
              kMap + ":7: group 'nosuch' not found in " + data_path("./image/group"),
              kMap + ":7: storage group 'nosuch' not found in " + data_path("storage/group"),
          });
    CHECK(errors_of("passwd image/passwd\ngroup image/group\n"
                    "user app = nosuch\ngroup app = nosuch\nuser root = ghost\n",
                    resolver) ==
          Lines{
              kMap + ":3: storage user 'nosuch' not found by the system's user database",
              kMap + ":4: storage group 'nosuch' not found by the system's group database",
              kMap + ":5: storage user 'ghost' has id 4294967295 (-1), which is not a valid id",
          });
}

TEST_CASE("map names: a name without its database") {
    test::FakeResolver resolver;
    resolver.users = {{"alice", 1001}};
    resolver.groups = {{"staff", 50}};
    CHECK(errors_of("user app = alice\ngroup staff\ngroup staff = staff\nnames auto\n", resolver) ==
          Lines{
              kMap + ":1: user 'app': no passwd file declared (add 'passwd FILE' naming the "
                     "container image's /etc/passwd, or write the uid as a number)",
              kMap + ":2: group 'staff': no group file declared (add 'group FILE' naming the "
                     "container image's /etc/group, or write the gid as a number); a group file is "
                     "written with a '/': group ./staff",
              kMap + ":3: group 'staff': no group file declared (add 'group FILE' naming the "
                     "container image's /etc/group, or write the gid as a number)",
              kMap + ":4: 'names auto' needs the container image's databases: declare 'passwd "
                     "FILE' and/or 'group FILE'",
          });
}

TEST_CASE("map names: numbers in name rules are checked as ids") {
    CHECK(errors_of("user 4294967295 = 5\nuser 5 = -1\ngroup 99999999999 = 1\n") ==
          Lines{
              kMap + ":1: mount uid 4294967295 (-1) is not a valid id",
              kMap + ":2: storage uid 4294967295 (-1) is not a valid id",
              kMap + ":3: mount gid '99999999999' is too large (the largest id is 4294967294)",
          });
}

TEST_CASE("map names: an unreadable database is reported once, not once per name") {
    const std::string missing = data_path("nope/passwd");
    CHECK(errors_of("passwd nope/passwd\nuser app = 5\nuser root = 0\nnames auto\n") ==
          Lines{kMap + ":1: " + missing + ": cannot read: No such file or directory"});
    CHECK(errors_of("storage-group image\ngroup 5 = devs\n") ==
          Lines{kMap + ":1: " + data_path("image") + ": cannot read: Is a directory"});
}

TEST_CASE("map names: errors inside a database sort with the line that declared it") {
    const std::string bad = data_path("bad/passwd");
    CHECK(
        errors_of("uid 0 1\nfirst-bad-keyword\npasswd bad/passwd\nsecond-bad-keyword\n") ==
        Lines{
            kMap + ":2: unknown keyword 'first-bad-keyword' (expected uid, gid, user, group, "
                   "passwd, storage-passwd, storage-group, names, unmapped-read or unmapped-write)",
            bad + ":6: expected NAME:PASSWORD:ID:..., but the line has 2 fields",
            bad + ":7: the name (first field) is empty",
            bad + ":8: 'bad': id 'abc' is not a decimal number",
            bad + ":9: 'minus': id 4294967295 (-1) is not a valid id",
            bad + ":10: 'big': id '4294967296' is too large (the largest id is 4294967294)",
            bad + ":11: 'root' is defined twice (first at line 1)",
            kMap + ":4: unknown keyword 'second-bad-keyword' (expected uid, gid, user, group, "
                   "passwd, storage-passwd, storage-group, names, unmapped-read or unmapped-write)",
        });
}

TEST_CASE("map names: each database and names auto may be declared once") {
    CHECK(errors_of("passwd image/passwd\n"
                    "group image/group\n"
                    "storage-passwd storage/passwd\n"
                    "storage-group storage/group\n"
                    "names auto\n"
                    "passwd storage/passwd\n"
                    "group /etc/group\n"
                    "storage-passwd storage/passwd\n"
                    "storage-group storage/group\n"
                    "names auto\n") == Lines{
                                           kMap + ":6: 'passwd' is already given at line 1",
                                           kMap + ":7: 'group' is already given at line 2",
                                           kMap + ":8: 'storage-passwd' is already given at line 3",
                                           kMap + ":9: 'storage-group' is already given at line 4",
                                           kMap + ":10: 'names auto' is already given at line 5",
                                       });
}

TEST_CASE("map names: every syntax error of name, database and names lines") {
    CHECK(errors_of("user\n"
                    "group\n"
                    "user a = b = c\n"
                    "user = b\n"
                    "user a =\n"
                    "user a b\n"
                    "group a = b c\n"
                    "passwd\n"
                    "storage-group a b\n"
                    "names\n"
                    "names manual\n"
                    "names auto please\n") ==
          Lines{
              kMap + ":1: 'user' needs a name: user NAME [= STORAGE-NAME]",
              kMap + ":2: 'group' needs a file or a name: group FILE | group NAME [= "
                     "STORAGE-NAME]",
              kMap + ":3: 'user' takes a single '=': user NAME [= STORAGE-NAME]",
              kMap + ":4: 'user' needs a name before '='",
              kMap + ":5: 'user' needs a storage name after '='",
              kMap + ":6: 'user' takes NAME [= STORAGE-NAME]; unexpected 'b'",
              kMap + ":7: 'group' takes NAME [= STORAGE-NAME]; unexpected 'c'",
              kMap + ":8: 'passwd' needs a file: passwd FILE",
              kMap + ":9: 'storage-group' takes one file; unexpected 'b'",
              kMap + ":10: 'names' needs a mode: names auto",
              kMap + ":11: unknown names mode 'manual' (the only one is 'names auto')",
              kMap + ":12: 'names' takes one word (auto); unexpected 'please'",
          });
}

TEST_CASE("map names: `user a=b` needs no spaces around '='") {
    const test::FakeResolver no_names;
    const MapLoad load = parse(std::string(kDatabases) + "user app=alice\n", no_names);
    REQUIRE(error_lines(load) == Lines{});
    CHECK(load.map->find_storage(MountUid{1000}) == StorageUid{1001});
}

TEST_CASE("map names: name rules overlap like ranges, and say which ids they resolved to") {
    CHECK(errors_of("uid 1000 100000 10\n" + std::string(kDatabases) +
                    "user app = 5\n"
                    "user 70000 = alice\n"
                    "user root = alice\n"
                    "group staff = devs\n"
                    "group app = devs\n") ==
          Lines{
              kMap +
                  ":6: user app = 5: mount uid 1000 overlaps the rule at line 1 (uid 1000 100000 "
                  "10)",
              kMap + ":8: user root = alice: storage uid 1001 overlaps the rule at line 7 (user "
                     "70000 = alice)",
              kMap + ":10: group app = devs: storage gid 2000 overlaps the rule at line 9 (group "
                     "staff = devs)",
          });
}

}  // namespace
}  // namespace idshift::idmap

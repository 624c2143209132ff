// compile_maps(): the exact uid_map/gid_map text an IdMap becomes, and every reason it cannot.
#include "idshift/kernel/map_compiler.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <variant>
#include <vector>

namespace idshift::kernel {
namespace {

using idmap::GidRangeMap;
using idmap::IdMap;
using idmap::Policy;
using idmap::RuleExtent;
using idmap::UidRangeMap;

constexpr KernelLimits kDefaultLimits{65534, 65534, 4095};

IdMap make_map(std::vector<RuleExtent> uids, std::vector<RuleExtent> gids, Policy policy = {}) {
    return IdMap(UidRangeMap::from_rules(std::move(uids)), GidRangeMap::from_rules(std::move(gids)),
                 policy);
}

UsernsMaps compiled(const IdMap& map, KernelLimits limits = kDefaultLimits) {
    auto result = compile_maps(map, limits);
    REQUIRE(std::holds_alternative<UsernsMaps>(result));
    return std::get<UsernsMaps>(result);
}

std::string reason(const IdMap& map, KernelLimits limits = kDefaultLimits) {
    auto result = compile_maps(map, limits);
    REQUIRE(std::holds_alternative<NotExpressible>(result));
    return std::get<NotExpressible>(result).reason;
}

// `count` single-id rules, mount id 10000+2i <-> storage id 2i: none adjacent to another.
std::vector<RuleExtent> scattered(std::uint32_t count) {
    std::vector<RuleExtent> extents;
    for (std::uint32_t i = 0; i < count; ++i)
        extents.push_back({10000 + 2 * i, 2 * i, 1});
    return extents;
}

TEST_CASE("kernel map: storage id inside, mount id outside, one line per extent") {
    // RuleExtent is {mount_first, storage_first, count}: mount 0.. is storage 100000..
    const UsernsMaps maps = compiled(make_map({{0, 100000, 65536}}, {{0, 200000, 65536}}));
    CHECK(maps.uid_map == "100000 0 65536\n");
    CHECK(maps.gid_map == "200000 0 65536\n");
    CHECK(maps.uid_extents == 1);
    CHECK(maps.gid_extents == 1);
}

TEST_CASE("kernel map: lines are sorted by storage id") {
    const UsernsMaps maps =
        compiled(make_map({{1600, 1500, 1}, {0, 0, 1000}}, {{3000, 9000, 1}, {1, 5, 2}}));
    CHECK(maps.uid_map == "0 0 1000\n1500 1600 1\n");
    CHECK(maps.gid_map == "5 1 2\n9000 3000 1\n");
}

TEST_CASE("kernel map: adjacent single-id rules merge into one range") {
    // Three names mapping 1000,1001,1002 to 2000,2001,2002, given out of order.
    const UsernsMaps maps =
        compiled(make_map({{1001, 2001, 1}, {1000, 2000, 1}, {1002, 2002, 1}}, {{1000, 2000, 1}}));
    CHECK(maps.uid_map == "2000 1000 3\n");
    CHECK(maps.uid_extents == 1);
}

TEST_CASE("kernel map: a range and the single id after it merge, on both sides only") {
    const UsernsMaps maps = compiled(make_map({{0, 100, 10}, {10, 110, 1}}, {{0, 0, 1}}));
    CHECK(maps.uid_map == "100 0 11\n");
    // Adjacent on the storage side but not on the mount side: two lines.
    const UsernsMaps apart = compiled(make_map({{0, 100, 10}, {50, 110, 1}}, {{0, 0, 1}}));
    CHECK(apart.uid_map == "100 0 10\n110 50 1\n");
    CHECK(apart.uid_extents == 2);
}

TEST_CASE("kernel map: the highest valid ids compile without wrapping") {
    const UsernsMaps maps =
        compiled(make_map({{4294967294u, 4294967294u, 1}}, {{4294967293u, 0, 2}}));
    CHECK(maps.uid_map == "4294967294 4294967294 1\n");
    CHECK(maps.gid_map == "0 4294967293 2\n");
}

TEST_CASE("kernel map: 340 extents per kind fit, 341 do not") {
    const UsernsMaps maps = compiled(make_map(scattered(340), scattered(340)));
    CHECK(maps.uid_extents == 340);
    CHECK(maps.gid_extents == 340);
    CHECK(maps.uid_map.substr(0, 22) == "0 10000 1\n2 10002 1\n4 ");
    CHECK(reason(make_map(scattered(341), {{0, 0, 1}})) ==
          "341 uid extents after merging adjacent rules; the kernel takes at most 340");
    CHECK(reason(make_map({{0, 0, 1}}, scattered(400))) ==
          "400 gid extents after merging adjacent rules; the kernel takes at most 340");
}

TEST_CASE("kernel map: the 340 limit counts extents after merging") {
    // 600 single ids in one run: one extent.
    std::vector<RuleExtent> run;
    for (std::uint32_t i = 0; i < 600; ++i)
        run.push_back({5000 + i, 7000 + i, 1});
    const UsernsMaps maps = compiled(make_map(run, run));
    CHECK(maps.uid_map == "7000 5000 600\n");
}

TEST_CASE("kernel map: unmapped-write squash is not expressible") {
    Policy policy;
    policy.unmapped_write = idmap::UnmappedWrite::squash;
    policy.squash_uid = idmap::StorageUid{7000};
    CHECK(reason(make_map({{0, 0, 10}}, {{0, 0, 10}}, policy)) ==
          "unmapped-write is squash, and the kernel refuses a write of an unmapped id "
          "(EOVERFLOW) instead of storing a substitute");
}

TEST_CASE("kernel map: unmapped-read must be the kernel's overflow ids") {
    Policy policy;
    policy.unmapped_read_uid = idmap::MountUid{99};
    policy.unmapped_read_gid = idmap::MountGid{65534};
    CHECK(reason(make_map({{0, 0, 10}}, {{0, 0, 10}}, policy)) ==
          "unmapped-read is 99:65534, and the kernel shows unmapped ids as its overflow ids "
          "65534:65534");
    // The same map is expressible on a kernel whose overflow uid is 99.
    CHECK(compiled(make_map({{0, 0, 10}}, {{0, 0, 10}}, policy), {99, 65534, 4095}).uid_map ==
          "0 0 10\n");
    // And the default map is not, on that kernel.
    CHECK(reason(make_map({{0, 0, 10}}, {{0, 0, 10}}), {99, 65534, 4095}) ==
          "unmapped-read is 65534:65534, and the kernel shows unmapped ids as its overflow ids "
          "99:65534");
}

TEST_CASE("kernel map: a kind without rules is not expressible") {
    CHECK(reason(make_map({{0, 0, 10}}, {})) ==
          "the map has no gid rule, and a user namespace needs at least one gid_map line");
    CHECK(reason(make_map({}, {{0, 0, 10}})) ==
          "the map has no uid rule, and a user namespace needs at least one uid_map line");
}

TEST_CASE("kernel map: the map text must fit in one write shorter than a page") {
    // 340 lines of "20000 10000 1\n" are 4760 bytes: within the extent limit, past the page.
    std::vector<RuleExtent> wide;
    for (std::uint32_t i = 0; i < 340; ++i)
        wide.push_back({10000 + 2 * i, 20000 + 2 * i, 1});
    CHECK(reason(make_map(wide, {{0, 0, 1}})) ==
          "the uid_map text of 340 extents is 4760 bytes; the kernel takes at most 4095 in its "
          "one write");
    // On a kernel with 64 KiB pages the same map fits.
    CHECK(compiled(make_map(wide, {{0, 0, 1}}), {65534, 65534, 65535}).uid_extents == 340);
}

TEST_CASE("kernel map: the running kernel's limits are read from /proc and the page size") {
    const KernelLimits limits = read_kernel_limits();
    // The values the kernel ships with and every test machine keeps (x86-64: 4 KiB pages).
    CHECK(limits.overflow_uid == 65534);
    CHECK(limits.overflow_gid == 65534);
    CHECK(limits.max_map_bytes == 4095);
}

}  // namespace
}  // namespace idshift::kernel

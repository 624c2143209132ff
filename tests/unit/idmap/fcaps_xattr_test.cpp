#include "idshift/idmap/fcaps_xattr.hpp"

#include <catch2/catch.hpp>
#include <cerrno>
#include <vector>

namespace idshift::idmap {
namespace {

constexpr std::uint32_t kRevision1 = 0x01000000, kRevision2 = 0x02000000, kRevision3 = 0x03000000;
constexpr std::uint32_t kEffective = 0x000001;  // VFS_CAP_FLAGS_EFFECTIVE

void put_le32(std::vector<std::byte>& out, std::uint32_t value) {
    for (int i = 0; i < 4; ++i)
        out.push_back(static_cast<std::byte>(value >> (8 * i)));
}

// vfs_cap_data / vfs_ns_cap_data, written out by hand: magic_etc, then {permitted,
// inheritable} pairs (one for v1, two for v2 and v3), then rootid for v3.
std::vector<std::byte> caps(std::uint32_t magic, int pairs, std::optional<std::uint32_t> rootid) {
    std::vector<std::byte> blob;
    put_le32(blob, magic);
    for (int i = 0; i < pairs; ++i) {
        put_le32(blob, 0x00003000u + static_cast<std::uint32_t>(i));  // permitted
        put_le32(blob, 0x00000400u + static_cast<std::uint32_t>(i));  // inheritable
    }
    if (rootid) put_le32(blob, *rootid);
    return blob;
}

std::vector<std::byte> v3(std::uint32_t rootid, std::uint32_t flags = kEffective) {
    return caps(kRevision3 | flags, 2, rootid);
}

IdMap shifted(Policy policy = {}) {
    return IdMap(UidRangeMap::from_rules({{0, 100000, 65536}}),
                 GidRangeMap::from_rules({{0, 200000, 65536}}), policy);
}

TEST_CASE("fcaps: the xattr name") {
    CHECK(is_fcaps_xattr("security.capability"));
    CHECK_FALSE(is_fcaps_xattr("security.selinux"));
    CHECK_FALSE(is_fcaps_xattr("trusted.capability"));
}

TEST_CASE("fcaps: v3 rootid translates both ways, every other byte untouched") {
    auto blob = v3(100000);
    REQUIRE(blob.size() == 24);
    REQUIRE(fcaps_to_mount(blob, shifted()) == 0);
    CHECK(blob == v3(0));
    REQUIRE(fcaps_to_storage(blob, shifted()).error == 0);
    CHECK(blob == v3(100000));

    blob = v3(165535, 0);  // without the effective flag
    REQUIRE(fcaps_to_mount(blob, shifted()) == 0);
    CHECK(blob == v3(65535, 0));
}

TEST_CASE("fcaps: v3 rootid no rule covers") {
    SECTION("reading hides it with EOVERFLOW, whatever unmapped-read says") {
        const auto original = v3(5);
        auto blob = original;
        CHECK(fcaps_to_mount(blob, shifted()) == EOVERFLOW);
        CHECK(blob == original);
    }
    SECTION("writing is refused with EINVAL under deny") {
        const auto original = v3(70000);
        auto blob = original;
        const XattrTranslation stored = fcaps_to_storage(blob, shifted());
        CHECK(stored.error == EINVAL);
        CHECK(blob == original);
        REQUIRE(stored.refused.has_value());
        CHECK(stored.refused->kind() == Kind::uid);
        CHECK(stored.refused->raw_id() == 70000u);
    }
    SECTION("writing is squashed under squash, but -1 is never written") {
        Policy policy;
        policy.unmapped_write = UnmappedWrite::squash;
        policy.squash_uid = StorageUid{165534};
        auto blob = v3(70000);
        REQUIRE(fcaps_to_storage(blob, shifted(policy)).error == 0);
        CHECK(blob == v3(165534));
        const auto minus_one = v3(0xFFFFFFFFu);
        blob = minus_one;
        CHECK(fcaps_to_storage(blob, shifted(policy)).error == EINVAL);
        CHECK(blob == minus_one);
    }
}

TEST_CASE("fcaps: v1 and v2 carry no id and pass through") {
    for (auto original :
         {caps(kRevision1, 1, std::nullopt), caps(kRevision1 | kEffective, 1, std::nullopt),
          caps(kRevision2, 2, std::nullopt), caps(kRevision2 | kEffective, 2, std::nullopt)}) {
        auto blob = original;
        CHECK(fcaps_to_mount(blob, shifted()) == 0);
        CHECK(blob == original);
        CHECK(fcaps_to_storage(blob, shifted()).error == 0);
        CHECK(blob == original);
    }
    CHECK(caps(kRevision1, 1, std::nullopt).size() == 12);
    CHECK(caps(kRevision2, 2, std::nullopt).size() == 20);
}

TEST_CASE("fcaps: wrong sizes and unknown revisions are EINVAL and left unchanged") {
    const std::vector<std::vector<std::byte>> malformed = {
        {},
        std::vector<std::byte>(3),
        caps(kRevision1, 2, std::nullopt),  // v1 with 20 bytes
        caps(kRevision2, 1, std::nullopt),  // v2 with 12 bytes
        caps(kRevision2, 2, 100000),        // v2 with 24 bytes
        caps(kRevision3, 2, std::nullopt),  // v3 without rootid
        caps(kRevision3, 1, 100000),        // v3 with 16 bytes
        caps(kRevision3, 3, 100000),        // v3 with 32 bytes
        caps(0x04000000, 2, 100000),        // no revision 4
        caps(0, 2, std::nullopt),
        caps(0x00000003, 2, 100000),  // revision 3 written big-endian
    };
    for (const auto& original : malformed) {
        INFO("size " << original.size());
        auto blob = original;
        CHECK(fcaps_to_mount(blob, shifted()) == EINVAL);
        CHECK(fcaps_to_storage(blob, shifted()).error == EINVAL);
        CHECK(blob == original);
    }
}

}  // namespace
}  // namespace idshift::idmap

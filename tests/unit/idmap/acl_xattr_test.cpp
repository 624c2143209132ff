#include "idshift/idmap/acl_xattr.hpp"

#include <catch2/catch.hpp>
#include <cerrno>
#include <vector>

namespace idshift::idmap {
namespace {

// linux/posix_acl.h tags
constexpr std::uint16_t kUserObj = 0x01, kUser = 0x02, kGroupObj = 0x04, kGroup = 0x08,
                        kMask = 0x10, kOther = 0x20;
constexpr std::uint32_t kUndefinedId = 0xFFFFFFFFu;  // what tags without an id carry

struct Entry {
    std::uint16_t tag;
    std::uint16_t perm;
    std::uint32_t id;
};

void put_le(std::vector<std::byte>& out, std::uint32_t value, int bytes) {
    for (int i = 0; i < bytes; ++i)
        out.push_back(static_cast<std::byte>(value >> (8 * i)));
}

// The xattr bytes, little-endian written out by hand (independent of the code under test).
std::vector<std::byte> acl_blob(const std::vector<Entry>& entries, std::uint32_t version = 2) {
    std::vector<std::byte> blob;
    put_le(blob, version, 4);
    for (const Entry& e : entries) {
        put_le(blob, e.tag, 2);
        put_le(blob, e.perm, 2);
        put_le(blob, e.id, 4);
    }
    return blob;
}

// uids 0..65535 <-> 100000..; gids 0..65535 <-> 200000..; so a uid/gid mix-up shows.
IdMap shifted(Policy policy = {}) {
    return IdMap(UidRangeMap::from_rules({{0, 100000, 65536}}),
                 GidRangeMap::from_rules({{0, 200000, 65536}}), policy);
}

std::vector<Entry> typical_acl(std::uint32_t user, std::uint32_t group) {
    return {{kUserObj, 6, kUndefinedId}, {kUser, 4, user},         {kGroupObj, 4, kUndefinedId},
            {kGroup, 5, group},          {kMask, 7, kUndefinedId}, {kOther, 0, kUndefinedId}};
}

TEST_CASE("acl: the two ACL xattr names") {
    CHECK(is_acl_xattr("system.posix_acl_access"));
    CHECK(is_acl_xattr("system.posix_acl_default"));
    CHECK_FALSE(is_acl_xattr("system.posix_acl"));
    CHECK_FALSE(is_acl_xattr("user.posix_acl_access"));
    CHECK_FALSE(is_acl_xattr("security.capability"));
}

TEST_CASE("acl: validate checks size and version") {
    CHECK(validate_acl(acl_blob(typical_acl(1, 2))) == 0);
    CHECK(validate_acl(acl_blob({})) == 0);  // no entries: the kernel reads this as "no ACL"
    CHECK(validate_acl({}) == EINVAL);
    CHECK(validate_acl(std::vector<std::byte>(3)) == EINVAL);
    CHECK(validate_acl(acl_blob({}, 1)) == EINVAL);
    CHECK(validate_acl(acl_blob({}, 3)) == EINVAL);
    CHECK(validate_acl(acl_blob({{kUser, 4, 1}}, 0x02000000)) == EINVAL);  // big-endian 2
    auto truncated = acl_blob(typical_acl(1, 2));
    truncated.pop_back();
    CHECK(validate_acl(truncated) == EINVAL);
    auto padded = acl_blob(typical_acl(1, 2));
    padded.push_back(std::byte{0});
    CHECK(validate_acl(padded) == EINVAL);
    for (std::size_t extra = 1; extra < 8; ++extra) {
        auto blob = acl_blob({{kUser, 4, 1}});
        blob.resize(blob.size() + extra);
        CHECK(validate_acl(blob) == EINVAL);
    }
}

TEST_CASE("acl: storage to mount translates user and group entries, nothing else") {
    auto blob = acl_blob(typical_acl(100005, 200007));
    REQUIRE(acl_to_mount(blob, shifted()) == 0);
    CHECK(blob == acl_blob(typical_acl(5, 7)));
}

TEST_CASE("acl: storage to mount shows uncovered ids as the unmapped-read ids") {
    auto blob = acl_blob(typical_acl(5, 100005));  // a storage uid 5 and a storage gid 100005
    REQUIRE(acl_to_mount(blob, shifted()) == 0);
    CHECK(blob == acl_blob(typical_acl(65534, 65534)));

    Policy policy;
    policy.unmapped_read_uid = MountUid{4242};
    policy.unmapped_read_gid = MountGid{4343};
    blob = acl_blob(typical_acl(5, 100005));
    REQUIRE(acl_to_mount(blob, shifted(policy)) == 0);
    CHECK(blob == acl_blob(typical_acl(4242, 4343)));
}

TEST_CASE("acl: storage to mount tells each unmapped-read id, as stat's ids are told") {
    struct Seen final : UnmappedReads {
        std::vector<std::pair<Kind, std::uint32_t>> ids;
        void unmapped_read(Kind kind, std::uint32_t id) noexcept override {
            ids.emplace_back(kind, id);
        }
    } seen;
    auto blob = acl_blob({{kUser, 6, 5}, {kUser, 4, 100001}, {kGroup, 4, 100005}});
    REQUIRE(acl_to_mount(blob, shifted(), &seen) == 0);
    CHECK(seen.ids ==
          std::vector<std::pair<Kind, std::uint32_t>>{{Kind::uid, 5}, {Kind::gid, 100005}});
}

TEST_CASE("acl: mount to storage translates user and group entries") {
    auto blob = acl_blob(typical_acl(0, 65535));
    REQUIRE(acl_to_storage(blob, shifted()).error == 0);
    CHECK(blob == acl_blob(typical_acl(100000, 265535)));
}

TEST_CASE("acl: an unmapped id is refused with EINVAL and the blob is left unchanged") {
    // The first id entry maps, the second does not: nothing may be written.
    const auto original = acl_blob({{kUser, 4, 10}, {kUser, 4, 70000}, {kGroup, 4, 3}});
    auto blob = original;
    const XattrTranslation user = acl_to_storage(blob, shifted());
    CHECK(user.error == EINVAL);
    CHECK(blob == original);
    // The refusal names the entry and its mount id, so nobody has to parse the blob again.
    REQUIRE(user.refused.has_value());
    CHECK(user.refused->id == std::variant<MountUid, MountGid>(MountUid{70000}));
    CHECK(user.refused->entry == 1);

    const auto bad_group = acl_blob({{kUser, 4, 10}, {kGroup, 4, 65536}});
    blob = bad_group;
    const XattrTranslation group = acl_to_storage(blob, shifted());
    CHECK(group.error == EINVAL);
    CHECK(blob == bad_group);
    REQUIRE(group.refused.has_value());
    CHECK(group.refused->id == std::variant<MountUid, MountGid>(MountGid{65536}));
    CHECK(group.refused->entry == 1);
}

TEST_CASE("acl: squash stores unmapped entries as the squash ids, but never -1") {
    Policy policy;
    policy.unmapped_write = UnmappedWrite::squash;
    policy.squash_uid = StorageUid{165534};
    policy.squash_gid = StorageGid{265534};
    auto blob = acl_blob({{kUser, 4, 70000}, {kGroup, 4, 70000}, {kUser, 6, 1}});
    REQUIRE(acl_to_storage(blob, shifted(policy)).error == 0);
    CHECK(blob == acl_blob({{kUser, 4, 165534}, {kGroup, 4, 265534}, {kUser, 6, 100001}}));

    const auto minus_one = acl_blob({{kUser, 4, 1}, {kUser, 4, kUndefinedId}});
    blob = minus_one;
    CHECK(acl_to_storage(blob, shifted(policy)).error == EINVAL);
    CHECK(blob == minus_one);
}

TEST_CASE("acl: a malformed blob is refused in both directions and left unchanged") {
    for (auto original :
         {acl_blob(typical_acl(100001, 200001), 1),
          std::vector<std::byte>(acl_blob(typical_acl(100001, 200001)).size() - 2)}) {
        auto blob = original;
        CHECK(acl_to_mount(blob, shifted()) == EINVAL);
        CHECK(blob == original);
        const XattrTranslation stored = acl_to_storage(blob, shifted());
        CHECK(stored.error == EINVAL);
        CHECK_FALSE(stored.refused.has_value());  // malformed is not a refused id
        CHECK(blob == original);
    }
}

TEST_CASE("acl: a large ACL round-trips through both directions") {
    std::vector<Entry> entries;
    for (std::uint32_t i = 0; i < 10000; ++i)
        entries.push_back({i % 2 ? kUser : kGroup, 7, i});
    const auto original = acl_blob(entries);
    auto blob = original;
    REQUIRE(acl_to_storage(blob, shifted()).error == 0);
    CHECK(blob != original);
    CHECK(validate_acl(blob) == 0);
    REQUIRE(acl_to_mount(blob, shifted()) == 0);
    CHECK(blob == original);
}

TEST_CASE("acl: an empty ACL translates to itself") {
    const auto original = acl_blob({});
    auto blob = original;
    CHECK(acl_to_mount(blob, shifted()) == 0);
    CHECK(acl_to_storage(blob, shifted()).error == 0);
    CHECK(blob == original);
}

}  // namespace
}  // namespace idshift::idmap

// Mixing sides or kinds does not compile, for every type an id passes through below the IdMap
// seam. Each static_assert states what must NOT be accepted, checked with a requires-expression
// so that the test compiles exactly when the types refuse the mix-up; the positive twin beside it
// proves the expression is otherwise well formed (a typo would make a negative check pass).
#include <catch2/catch.hpp>
#include <type_traits>

#include "idshift/idmap/acl_xattr.hpp"
#include "idshift/idmap/extent.hpp"
#include "idshift/idmap/fcaps_xattr.hpp"
#include "idshift/idmap/id_map.hpp"
#include "idshift/idmap/range_map.hpp"
#include "idshift/idmap/xattr_translation.hpp"

namespace idshift::idmap {
namespace {

// Whether `t.fn(id)` compiles. A requires-expression refuses an ill-formed call softly only inside
// a template, hence these concepts.
template <typename T, typename Id>
concept ToStorage = requires(const T& t, Id id) {
    t.to_storage(id);
};
template <typename T, typename Id>
concept ToMount = requires(const T& t, Id id) {
    t.to_mount(id);
};
template <typename T, typename Id>
concept CoversMount = requires(const T& t, Id id) {
    t.covers_mount(id);
};
template <typename T, typename Id>
concept FindStorage = requires(const T& t, Id id) {
    t.find_storage(id);
};
template <typename T, typename Id>
concept FindMount = requires(const T& t, Id id) {
    t.find_mount(id);
};
template <typename T, typename Id>
concept ForWrite = requires(const T& t, Id id) {
    t.to_storage_for_write(id);
};
// Whether a field of type Field takes an Id.
template <typename Field, typename Id>
concept Takes = std::is_assignable_v<Field&, Id>;

// Extent: each side takes only its own id, of its own kind.
static_assert(ToStorage<UidExtent, MountUid>);
static_assert(!ToStorage<UidExtent, StorageUid>);
static_assert(!ToStorage<UidExtent, MountGid>);
static_assert(!ToStorage<UidExtent, std::uint32_t>);
static_assert(ToMount<GidExtent, StorageGid>);
static_assert(!ToMount<GidExtent, MountGid>);
static_assert(!ToMount<GidExtent, StorageUid>);
static_assert(!CoversMount<UidExtent, StorageUid>);
static_assert(std::is_same_v<decltype(UidExtent::mount_first), MountUid>);
static_assert(std::is_same_v<decltype(UidExtent::storage_first), StorageUid>);
static_assert(std::is_same_v<decltype(GidExtent::storage_first), StorageGid>);
// Numbers or the other side's id do not initialise a side.
static_assert(!std::is_constructible_v<UidExtent, std::uint32_t, std::uint32_t, std::uint32_t>);
static_assert(!std::is_constructible_v<UidExtent, StorageUid, MountUid, std::uint32_t>);
static_assert(std::is_constructible_v<UidExtent, MountUid, StorageUid, std::uint32_t>);

// RangeMap: the same, and its answers are of the other side.
static_assert(ToStorage<UidRangeMap, MountUid>);
static_assert(!ToStorage<UidRangeMap, StorageUid>);
static_assert(!ToMount<UidRangeMap, MountUid>);
static_assert(!ToStorage<UidRangeMap, MountGid>);
static_assert(!ToMount<GidRangeMap, StorageUid>);
static_assert(!ToMount<GidRangeMap, std::uint32_t>);
static_assert(std::is_same_v<decltype(std::declval<const UidRangeMap&>().to_storage(MountUid{})),
                             std::optional<StorageUid>>);
static_assert(std::is_same_v<decltype(std::declval<const GidRangeMap&>().to_mount(StorageGid{})),
                             std::optional<MountGid>>);
// A gid map is not a uid map, in either of IdMap's places.
static_assert(!std::is_convertible_v<GidRangeMap, UidRangeMap>);
static_assert(!std::is_constructible_v<IdMap, GidRangeMap, UidRangeMap, Policy>);
static_assert(std::is_constructible_v<IdMap, UidRangeMap, GidRangeMap, Policy>);

// Policy: the unmapped_read ids are mount side, the squash ids storage side.
static_assert(std::is_same_v<decltype(Policy::unmapped_read_uid), MountUid>);
static_assert(std::is_same_v<decltype(Policy::unmapped_read_gid), MountGid>);
static_assert(std::is_same_v<decltype(Policy::squash_uid), StorageUid>);
static_assert(std::is_same_v<decltype(Policy::squash_gid), StorageGid>);
static_assert(!Takes<decltype(Policy::unmapped_read_uid), StorageUid>);
static_assert(!Takes<decltype(Policy::squash_gid), MountGid>);
static_assert(!Takes<decltype(Policy::squash_uid), std::uint32_t>);
static_assert(Takes<decltype(Policy::squash_uid), StorageUid>);

// IdMap lookups: each direction takes its own side.
static_assert(!ToMount<IdMap, MountUid>);
static_assert(!FindStorage<IdMap, StorageUid>);
static_assert(!ForWrite<IdMap, StorageGid>);
static_assert(!FindMount<IdMap, std::uint32_t>);
static_assert(ForWrite<IdMap, MountGid>);

// Translator results: a refused id is a mount-side id, never a storage one or a bare number.
static_assert(std::is_constructible_v<Refusal, MountUid, std::size_t>);
static_assert(std::is_constructible_v<Refusal, MountGid, std::size_t>);
static_assert(!std::is_constructible_v<Refusal, StorageUid, std::size_t>);
static_assert(!std::is_constructible_v<Refusal, StorageGid, std::size_t>);
static_assert(!std::is_constructible_v<Refusal, std::uint32_t, std::size_t>);
static_assert(std::is_same_v<decltype(acl_to_storage(std::declval<std::span<std::byte>>(),
                                                     std::declval<const IdMap&>())),
                             XattrTranslation>);
static_assert(std::is_same_v<decltype(fcaps_to_storage(std::declval<std::span<std::byte>>(),
                                                       std::declval<const IdMap&>())),
                             XattrTranslation>);

TEST_CASE("typed sides: a rule's numbers take their types only where its kind is known") {
    const RuleExtent rule{10, 100010, 5};
    const UidExtent uids = rule.as<UidExtent>();
    CHECK(uids.mount_first == MountUid{10});
    CHECK(uids.storage_first == StorageUid{100010});
    CHECK(uids.count == 5);
    CHECK(uids.rule() == rule);
    const GidExtent gids = rule.as<GidExtent>();
    CHECK(gids.to_storage(MountGid{14}) == StorageGid{100014});
    CHECK(gids.to_mount(StorageGid{100015}) == std::nullopt);
}

TEST_CASE("typed sides: a refusal reports its kind and mount id") {
    const Refusal user{MountUid{70000}, 2};
    CHECK(user.kind() == Kind::uid);
    CHECK(user.raw_id() == 70000u);
    CHECK(user.entry == 2);
    const Refusal group{MountGid{65536}, 0};
    CHECK(group.kind() == Kind::gid);
    CHECK(group.raw_id() == 65536u);
}

}  // namespace
}  // namespace idshift::idmap

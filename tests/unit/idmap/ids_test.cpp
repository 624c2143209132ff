#include "idshift/idmap/ids.hpp"

#include <catch2/catch.hpp>
#include <type_traits>

#include "idshift/idmap/id_map.hpp"

namespace idshift::idmap {
namespace {

// The point of the strong types: a storage id cannot be passed where a mount id is expected.
static_assert(!std::is_convertible_v<StorageUid, MountUid>);
static_assert(!std::is_convertible_v<MountUid, StorageUid>);
static_assert(!std::is_convertible_v<StorageUid, StorageGid>);
static_assert(!std::is_convertible_v<std::uint32_t, MountUid>);
static_assert(std::is_same_v<decltype(std::declval<IdMap>().to_mount(StorageUid{})), MountUid>);
static_assert(std::is_same_v<decltype(std::declval<IdMap>().to_mount(StorageGid{})), MountGid>);
static_assert(std::is_same_v<decltype(std::declval<IdMap>().find_storage(MountGid{})),
                             std::optional<StorageGid>>);

TEST_CASE("ids: the reserved values are the kernel's") {
    CHECK(kInvalidId == 4294967295u);
    CHECK(kMaxId == 4294967294u);
    CHECK(kOverflowId == 65534u);
    CHECK(raw(MountUid{4294967294u}) == 4294967294u);
    CHECK(raw(StorageGid{0}) == 0u);
}

}  // namespace
}  // namespace idshift::idmap

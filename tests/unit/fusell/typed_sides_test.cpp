// Who a request runs as, typed by side: a Caller's ids are mount side, StorageCreds' storage side,
// and neither defaults to root. A forgotten field must not grant root on either side.
#include <catch2/catch.hpp>
#include <type_traits>

#include "creds.hpp"
#include "idshift/fusell/caller.hpp"

namespace idshift::fusell {
namespace {

using idmap::MountGid;
using idmap::MountUid;
using idmap::StorageGid;
using idmap::StorageUid;

// Whether a field of type Field takes an Id (the member's type is pinned down beside each check).
template <typename Field, typename Id>
concept Takes = std::is_assignable_v<Field&, Id>;

static_assert(std::is_same_v<decltype(Caller::uid), MountUid>);
static_assert(std::is_same_v<decltype(Caller::gid), MountGid>);
static_assert(!Takes<decltype(Caller::uid), StorageUid>);
static_assert(!Takes<decltype(Caller::uid), MountGid>);
static_assert(!Takes<decltype(Caller::storage_uid), MountUid>);
static_assert(!Takes<decltype(Caller::gid), std::uint32_t>);
static_assert(Takes<decltype(Caller::storage_uid), StorageUid>);

static_assert(std::is_same_v<decltype(StorageCreds::uid), StorageUid>);
static_assert(std::is_same_v<decltype(StorageCreds::gid), StorageGid>);
static_assert(!Takes<decltype(StorageCreds::uid), MountUid>);
static_assert(!Takes<decltype(StorageCreds::gid), StorageUid>);
static_assert(!Takes<decltype(StorageCreds::uid), std::uint32_t>);
static_assert(Takes<decltype(StorageCreds::gid), StorageGid>);

TEST_CASE("typed sides: a default Caller and StorageCreds are the overflow ids, not root") {
    const Caller caller{};
    CHECK(caller.uid == MountUid{idmap::kOverflowId});
    CHECK(caller.gid == MountGid{idmap::kOverflowId});
    CHECK_FALSE(caller.storage_uid.has_value());
    CHECK_FALSE(caller.storage_gid.has_value());
    CHECK_FALSE(caller.ids_withheld);

    const StorageCreds creds{};
    CHECK(creds.uid == StorageUid{idmap::kOverflowId});
    CHECK(creds.gid == StorageGid{idmap::kOverflowId});
    CHECK(creds.groups.empty());
    CHECK_FALSE(creds.privileged);
}

}  // namespace
}  // namespace idshift::fusell

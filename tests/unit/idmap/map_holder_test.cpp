#include "idshift/idmap/map_holder.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>
#include <vector>

namespace idshift::idmap {
namespace {

// Two maps whose uid and gid answers differ, so a snapshot mixing them would show.
IdMap shifted_by(std::uint32_t base) {
    return IdMap(UidRangeMap::from_rules({{0, base, 1000}}),
                 GidRangeMap::from_rules({{0, base + 50000, 1000}}), {});
}

TEST_CASE("map holder: a snapshot outlives a replace") {
    MapHolder holder(shifted_by(100000));
    const auto before = holder.snapshot();
    holder.replace(shifted_by(300000));
    CHECK(before->find_storage(MountUid{7}) == StorageUid{100007});
    CHECK(holder.snapshot()->find_storage(MountUid{7}) == StorageUid{300007});
}

TEST_CASE("map holder: readers always see one whole map while a writer replaces it") {
    MapHolder holder(shifted_by(100000));
    std::atomic<bool> writing{true};
    std::atomic<int> torn{0};
    std::atomic<long> snapshots{0};

    std::vector<std::thread> readers;
    for (int r = 0; r < 4; ++r) {
        readers.emplace_back([&] {
            // At least one snapshot per reader even if the writer finishes first.
            do {
                const auto map = holder.snapshot();
                const auto uid = map->find_storage(MountUid{5});
                const auto gid = map->find_storage(MountGid{5});
                const bool first = uid == StorageUid{100005} && gid == StorageGid{150005};
                const bool second = uid == StorageUid{300005} && gid == StorageGid{350005};
                if (!first && !second) ++torn;
                ++snapshots;
            } while (writing.load());
        });
    }
    for (int i = 0; i < 5000; ++i)
        holder.replace(shifted_by(i % 2 == 0 ? 300000 : 100000));
    writing = false;
    for (std::thread& reader : readers)
        reader.join();

    CHECK(torn == 0);
    CHECK(snapshots >= 4);
    // The last replace (i = 4999, odd) installed the 100000 map.
    CHECK(holder.snapshot()->find_storage(MountUid{5}) == StorageUid{100005});
}

}  // namespace
}  // namespace idshift::idmap

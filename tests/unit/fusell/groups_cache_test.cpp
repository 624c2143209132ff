#include <catch2/catch.hpp>

#include "groups_cache.hpp"

using namespace idshift::fusell;
using Clock = GroupsCache::Clock;

TEST_CASE("groups are read once per pid, uid and gid within the time to live") {
    GroupsCache cache;
    int loads = 0;
    auto load = [&loads] {
        ++loads;
        return std::vector<gid_t>{10, 20};
    };
    const auto t0 = Clock::time_point{} + std::chrono::hours(1);
    CHECK(*cache.get(42, 1000, 1000, t0, load) == std::vector<gid_t>{10, 20});
    CHECK(*cache.get(42, 1000, 1000, t0 + std::chrono::milliseconds(500), load) ==
          std::vector<gid_t>{10, 20});
    CHECK(loads == 1);
}

TEST_CASE("an entry expires after the time to live") {
    GroupsCache cache;
    int loads = 0;
    auto load = [&loads] { return std::vector<gid_t>{static_cast<gid_t>(++loads)}; };
    const auto t0 = Clock::time_point{} + std::chrono::hours(1);
    CHECK(cache.get(42, 1000, 1000, t0, load)->at(0) == 1);
    CHECK(cache.get(42, 1000, 1000, t0 + GroupsCache::kTtl, load)->at(0) == 2);
    CHECK(loads == 2);
}

TEST_CASE("another uid or gid for the same pid reads again") {
    GroupsCache cache;
    int loads = 0;
    auto load = [&loads] { return std::vector<gid_t>{static_cast<gid_t>(++loads)}; };
    const auto t0 = Clock::time_point{} + std::chrono::hours(1);
    cache.get(42, 1000, 1000, t0, load);
    CHECK(cache.get(42, 1001, 1000, t0, load)->at(0) == 2);
    CHECK(cache.get(42, 1001, 1001, t0, load)->at(0) == 3);
    CHECK(cache.get(43, 1001, 1001, t0, load)->at(0) == 4);
}

TEST_CASE("pid 0 is never cached") {
    GroupsCache cache;
    int loads = 0;
    auto load = [&loads] {
        ++loads;
        return std::vector<gid_t>{};
    };
    const auto t0 = Clock::time_point{} + std::chrono::hours(1);
    cache.get(0, 0, 0, t0, load);
    cache.get(0, 0, 0, t0, load);
    CHECK(loads == 2);
}

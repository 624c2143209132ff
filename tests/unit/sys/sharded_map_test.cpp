#include <catch2/catch.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "idshift/sys/sharded_map.hpp"

using idshift::sys::ShardedMap;

TEST_CASE("ShardedMap inserts, finds and erases by key") {
    ShardedMap<std::uint64_t, std::string, 4> map;
    CHECK(map.insert(1, "one"));
    CHECK(map.insert(5, "five"));  // the same shard as 1
    CHECK_FALSE(map.insert(1, "uno"));
    CHECK(map.find(1) == "one");
    CHECK(map.find(5) == "five");
    CHECK_FALSE(map.find(2).has_value());
    CHECK(map.size() == 2);

    CHECK(map.insert_or_assign(1, "uno") == "one");
    CHECK_FALSE(map.insert_or_assign(2, "two").has_value());
    CHECK(map.find(1) == "uno");

    CHECK(map.erase(1) == "uno");
    CHECK_FALSE(map.erase(1).has_value());
    CHECK_FALSE(map.find(1).has_value());
    CHECK(map.size() == 2);
}

TEST_CASE("ShardedMap erase hands the value back for the caller to drop") {
    ShardedMap<int, std::shared_ptr<int>, 2> map;
    auto value = std::make_shared<int>(7);
    REQUIRE(map.insert(3, value));
    CHECK(value.use_count() == 2);
    {
        auto removed = map.erase(3);
        REQUIRE(removed.has_value());
        CHECK(value.use_count() == 2);  // alive in `removed`, not destroyed under the lock
    }
    CHECK(value.use_count() == 1);
}

TEST_CASE("ShardedMap for_each visits every entry of every shard once") {
    ShardedMap<std::uint64_t, std::uint64_t, 8> map;
    for (std::uint64_t key = 0; key < 100; ++key)
        REQUIRE(map.insert(key, key * 2));
    std::uint64_t keys = 0;
    std::uint64_t values = 0;
    std::size_t count = 0;
    map.for_each([&](std::uint64_t key, std::uint64_t value) {
        keys += key;
        values += value;
        ++count;
    });
    CHECK(count == 100);
    CHECK(keys == 4950);
    CHECK(values == 9900);
}

TEST_CASE("ShardedMap with_shard runs a read-modify-write on the key's shard") {
    ShardedMap<int, int, 4> map;
    REQUIRE(map.insert(1, 10));
    const int seen = map.with_shard(1, [](auto& shard) { return ++shard.at(1); });
    CHECK(seen == 11);
    CHECK(map.find(1) == 11);
}

TEST_CASE("ShardedMap takes inserts from two threads at once") {
    constexpr std::uint64_t kPerThread = 20000;
    ShardedMap<std::uint64_t, std::uint64_t, 16> map;
    const auto fill = [&map](std::uint64_t first) {
        for (std::uint64_t key = first; key < first + kPerThread; ++key)
            map.insert(key, key);
    };
    std::thread low(fill, 0);
    std::thread high(fill, kPerThread);
    low.join();
    high.join();
    CHECK(map.size() == 2 * kPerThread);
    bool all_there = true;
    for (std::uint64_t key = 0; key < 2 * kPerThread; ++key)
        all_there = all_there && map.find(key) == key;
    CHECK(all_there);
}

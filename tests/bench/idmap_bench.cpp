// Id lookups per direction, for maps of 1, 5 (the last linear-scan size) and 1000 rules (the
// indexed path), on ids a rule covers ("hit") and ids between rules ("miss"). One lookup per
// benchmark iteration, so the time column is nanoseconds per lookup.
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "idshift/idmap/id_map.hpp"

namespace {

using namespace idshift::idmap;

constexpr std::uint32_t kStride = 4;  // each rule covers 2 ids of every 4
constexpr std::uint32_t kStorageBase = 1000000;
constexpr std::size_t kQueries = 4096;  // cycled through; a power of two

// n rules of 2 ids; storage sides in reverse order so that the two indexes differ.
IdMap make_map(std::uint32_t n) {
    std::vector<RuleExtent> uids;
    for (std::uint32_t i = 0; i < n; ++i)
        uids.push_back({i * kStride, kStorageBase + (n - 1 - i) * kStride, 2});
    return IdMap(UidRangeMap::from_rules(uids), GidRangeMap(), Policy{});
}

// Random query ids: covered ones (offset 0 or 1 in a rule) or uncovered ones (offset 2 or 3).
std::vector<std::uint32_t> queries(std::uint32_t n, std::uint32_t base, bool hit) {
    std::mt19937 rng(42);
    std::uniform_int_distribution<std::uint32_t> rule(0, n - 1);
    std::uniform_int_distribution<std::uint32_t> offset(0, 1);
    std::vector<std::uint32_t> ids(kQueries);
    for (auto& id : ids)
        id = base + rule(rng) * kStride + offset(rng) + (hit ? 0 : 2);
    return ids;
}

void mount_to_storage(benchmark::State& state, bool hit) {
    const auto n = static_cast<std::uint32_t>(state.range(0));
    const IdMap map = make_map(n);
    const std::vector<std::uint32_t> ids = queries(n, 0, hit);
    std::size_t i = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(map.find_storage(MountUid{ids[i++ & (kQueries - 1)]}));
    }
    state.SetItemsProcessed(state.iterations());
}

void storage_to_mount(benchmark::State& state, bool hit) {
    const auto n = static_cast<std::uint32_t>(state.range(0));
    const IdMap map = make_map(n);
    const std::vector<std::uint32_t> ids = queries(n, kStorageBase, hit);
    std::size_t i = 0;
    for (auto _ : state) {
        // to_mount is what stat and readdir call: a miss reads as the unmapped-read id.
        benchmark::DoNotOptimize(map.to_mount(StorageUid{ids[i++ & (kQueries - 1)]}));
    }
    state.SetItemsProcessed(state.iterations());
}

void BM_mount_to_storage_hit(benchmark::State& state) {
    mount_to_storage(state, true);
}
void BM_mount_to_storage_miss(benchmark::State& state) {
    mount_to_storage(state, false);
}
void BM_storage_to_mount_hit(benchmark::State& state) {
    storage_to_mount(state, true);
}
void BM_storage_to_mount_miss(benchmark::State& state) {
    storage_to_mount(state, false);
}

BENCHMARK(BM_mount_to_storage_hit)->Arg(1)->Arg(5)->Arg(1000);
BENCHMARK(BM_mount_to_storage_miss)->Arg(1)->Arg(5)->Arg(1000);
BENCHMARK(BM_storage_to_mount_hit)->Arg(1)->Arg(5)->Arg(1000);
BENCHMARK(BM_storage_to_mount_miss)->Arg(1)->Arg(5)->Arg(1000);

}  // namespace

#include "idshift/fusell/stats.hpp"

#include <algorithm>

namespace idshift::fusell {
namespace {

constexpr auto kRelaxed = std::memory_order_relaxed;

constexpr std::size_t unmapped_index(idmap::Kind kind, Direction direction) noexcept {
    return (kind == idmap::Kind::uid ? 0 : 2) + (direction == Direction::read ? 0 : 1);
}

}  // namespace

double latency_quantile_ns(const LatencyCounts& counts, double q) noexcept {
    std::uint64_t total = 0;
    for (std::uint64_t n : counts)
        total += n;
    if (total == 0) return 0.0;
    // The rank of the wanted observation, 1-based: the smallest r with r >= q * total.
    const double rank = std::max(1.0, q * static_cast<double>(total));
    std::uint64_t below = 0;
    for (std::size_t b = 0; b < kLatencyBuckets; ++b) {
        if (counts[b] == 0 || static_cast<double>(below + counts[b]) < rank) {
            below += counts[b];
            continue;
        }
        const double lower = b == 0 ? 0.0 : static_cast<double>(latency_bucket_bound_ns(b - 1));
        if (b == kLatencyBuckets - 1) return lower;
        const double upper = static_cast<double>(latency_bucket_bound_ns(b));
        const double fraction =
            (rank - static_cast<double>(below)) / static_cast<double>(counts[b]);
        return lower + (upper - lower) * fraction;
    }
    return static_cast<double>(latency_bucket_bound_ns(kLatencyBuckets - 2));
}

void IdCounterTable::record(std::uint32_t id) noexcept {
    const std::uint64_t key = std::uint64_t{id} + 1;
    for (std::size_t i = 0; i < kSlots; ++i) {
        std::uint64_t seen = keys_[i].load(std::memory_order_acquire);
        if (seen == 0 && keys_[i].compare_exchange_strong(seen, key, std::memory_order_acq_rel)) {
            seen = key;  // claimed
        }
        if (seen == key) {
            counts_[i].fetch_add(1, kRelaxed);
            return;
        }
    }
    other_.fetch_add(1, kRelaxed);
}

std::vector<IdCount> IdCounterTable::ids() const {
    std::vector<IdCount> out;
    for (std::size_t i = 0; i < kSlots; ++i) {
        const std::uint64_t key = keys_[i].load(std::memory_order_acquire);
        if (key == 0) break;  // slots are claimed in order: the rest are free
        out.push_back({static_cast<std::uint32_t>(key - 1), counts_[i].load(kRelaxed)});
    }
    std::sort(out.begin(), out.end(),
              [](const IdCount& a, const IdCount& b) { return a.id < b.id; });
    return out;
}

void Stats::record(Op op, int error, std::chrono::nanoseconds latency) noexcept {
    OpCounters& c = ops_[static_cast<std::size_t>(op)];
    const auto ns = static_cast<std::uint64_t>(std::max<std::int64_t>(latency.count(), 0));
    c.count.fetch_add(1, kRelaxed);
    c.latency_sum_ns.fetch_add(ns, kRelaxed);
    c.latency[latency_bucket(ns)].fetch_add(1, kRelaxed);
    if (error != 0) {
        const auto slot =
            error > 0 && error <= kMaxCountedErrno ? static_cast<std::size_t>(error) : 0;
        c.errors[slot].fetch_add(1, kRelaxed);
    }
}

void Stats::unmapped(idmap::Kind kind, Direction direction, std::uint32_t id) noexcept {
    unmapped_[unmapped_index(kind, direction)].record(id);
}

void Stats::adapted(Adapted what) noexcept {
    adapted_[static_cast<std::size_t>(what)].fetch_add(1, kRelaxed);
}

StatsSnapshot Stats::snapshot() const {
    StatsSnapshot out;
    out.ops.reserve(kOpCount);
    for (std::size_t i = 0; i < kOpCount; ++i) {
        const OpCounters& c = ops_[i];
        OpSnapshot& op = out.ops.emplace_back();
        op.op = static_cast<Op>(i);
        op.count = c.count.load(kRelaxed);
        op.latency_sum_ns = c.latency_sum_ns.load(kRelaxed);
        for (std::size_t b = 0; b < kLatencyBuckets; ++b)
            op.latency[b] = c.latency[b].load(kRelaxed);
        for (std::size_t e = 1; e <= kMaxCountedErrno; ++e) {
            if (const std::uint64_t n = c.errors[e].load(kRelaxed)) {
                op.errors.emplace_back(static_cast<int>(e), n);
            }
        }
        if (const std::uint64_t n = c.errors[0].load(kRelaxed)) op.errors.emplace_back(0, n);
    }
    for (idmap::Kind kind : {idmap::Kind::uid, idmap::Kind::gid}) {
        for (Direction direction : {Direction::read, Direction::write}) {
            const IdCounterTable& table = unmapped_[unmapped_index(kind, direction)];
            out.unmapped.push_back({kind, direction, table.ids(), table.other()});
        }
    }
    for (std::size_t i = 0; i < kAdaptedCount; ++i)
        out.adapted[i] = adapted_[i].load(kRelaxed);
    return out;
}

}  // namespace idshift::fusell

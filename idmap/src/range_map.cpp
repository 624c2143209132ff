#include "idshift/idmap/range_map.hpp"

#include <algorithm>
#include <cassert>

#include "idshift/idmap/ids.hpp"

namespace idshift::idmap {
namespace {

// Which side of an extent a lookup or an index works on; a template parameter so that the
// lookups compile to direct field loads. The search itself compares raw numbers: the types have
// done their work once the public lookup accepted the id.
enum class Side { mount, storage };

template <Side kSide, typename Extent>
std::uint32_t first_of(const Extent& e) noexcept {
    return kSide == Side::mount ? raw(e.mount_first) : raw(e.storage_first);
}

template <Side kSide, typename Extent>
std::vector<std::uint32_t> sorted_index(std::span<const Extent> extents) {
    std::vector<std::uint32_t> index(extents.size());
    for (std::uint32_t i = 0; i < index.size(); ++i)
        index[i] = i;
    std::sort(index.begin(), index.end(), [&](std::uint32_t a, std::uint32_t b) {
        return first_of<kSide>(extents[a]) < first_of<kSide>(extents[b]);
    });
    return index;
}

// The extent among `index` (sorted by first_of) that covers `id`, or nullptr. The candidate is the
// last extent whose first id is <= id; it covers id only if id is within its count. The search
// halves the range without a data-dependent branch (the compiler emits a conditional move), since
// lookups of random ids would otherwise mispredict about every other step.
template <Side kSide, typename Extent>
const Extent* search(std::span<const Extent> extents, const std::vector<std::uint32_t>& index,
                     std::uint32_t id) noexcept {
    const std::uint32_t* base = index.data();
    std::size_t n = index.size();
    while (n > 1) {
        const std::size_t half = n / 2;
        base = first_of<kSide>(extents[base[half]]) <= id ? base + half : base;
        n -= half;
    }
    // When every extent starts above id, base is the first one and covers() says no.
    const Extent& candidate = extents[*base];
    return covers(first_of<kSide>(candidate), candidate.count, id) ? &candidate : nullptr;
}

// The extent that covers `id` on one side: a linear scan while there is no index (at most
// kInlineExtents extents), a search of the index otherwise.
template <Side kSide, typename Extent>
const Extent* find(std::span<const Extent> extents, const std::vector<std::uint32_t>& index,
                   std::uint32_t id) noexcept {
    if (!index.empty()) return search<kSide>(extents, index, id);
    for (const Extent& e : extents) {
        if (covers(first_of<kSide>(e), e.count, id)) return &e;
    }
    return nullptr;
}

#ifndef NDEBUG
template <Side kSide, typename Extent>
bool disjoint(std::span<const Extent> extents) {
    const std::vector<std::uint32_t> index = sorted_index<kSide>(extents);
    for (std::size_t i = 1; i < index.size(); ++i) {
        const Extent& prev = extents[index[i - 1]];
        // prev's last id is first + count - 1; written so that it cannot overflow.
        if (first_of<kSide>(extents[index[i]]) - first_of<kSide>(prev) < prev.count) return false;
    }
    return true;
}
#endif

}  // namespace

template <typename MountId, typename StorageId>
BasicRangeMap<MountId, StorageId>::BasicRangeMap(std::vector<Extent> extents)
    : extents_(extents.begin(), extents.end()) {
    for ([[maybe_unused]] const Extent& e : extents_) {
        assert(e.count > 0);
        assert(raw(e.mount_first) <= kMaxId && e.count - 1 <= kMaxId - raw(e.mount_first));
        assert(raw(e.storage_first) <= kMaxId && e.count - 1 <= kMaxId - raw(e.storage_first));
    }
    const std::span<const Extent> all = this->extents();
    if (extents_.size() > kInlineExtents) {
        by_mount_ = sorted_index<Side::mount>(all);
        by_storage_ = sorted_index<Side::storage>(all);
    }
    assert(disjoint<Side::mount>(all));
    assert(disjoint<Side::storage>(all));
}

template <typename MountId, typename StorageId>
BasicRangeMap<MountId, StorageId> BasicRangeMap<MountId, StorageId>::from_rules(
    const std::vector<RuleExtent>& rules) {
    std::vector<Extent> extents;
    extents.reserve(rules.size());
    for (const RuleExtent& rule : rules)
        extents.push_back(rule.as<Extent>());
    return BasicRangeMap(std::move(extents));
}

template <typename MountId, typename StorageId>
std::optional<StorageId> BasicRangeMap<MountId, StorageId>::to_storage(
    MountId mount_id) const noexcept {
    const Extent* e = find<Side::mount>(extents(), by_mount_, raw(mount_id));
    return e ? e->to_storage(mount_id) : std::nullopt;
}

template <typename MountId, typename StorageId>
std::optional<MountId> BasicRangeMap<MountId, StorageId>::to_mount(
    StorageId storage_id) const noexcept {
    const Extent* e = find<Side::storage>(extents(), by_storage_, raw(storage_id));
    return e ? e->to_mount(storage_id) : std::nullopt;
}

template class BasicRangeMap<MountUid, StorageUid>;
template class BasicRangeMap<MountGid, StorageGid>;

}  // namespace idshift::idmap

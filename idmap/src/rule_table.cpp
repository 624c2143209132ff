#include "rule_table.hpp"

#include <iterator>

#include "decimal.hpp"

namespace idshift::idmap {
namespace {

std::string_view kind_name(Kind kind) {
    return kind == Kind::uid ? "uid" : "gid";
}

std::uint32_t first_on(const RuleExtent& e, bool mount) noexcept {
    return mount ? e.mount_first : e.storage_first;
}

}  // namespace

std::string describe_side(std::string_view side, Kind kind, std::uint32_t first,
                          std::uint32_t count) {
    std::string text = std::string(side) + " " + std::string(kind_name(kind));
    if (count == 1) return text + " " + std::to_string(first);
    // first + count - 1 cannot overflow for a valid extent; computed in 64 bits for any other.
    const std::uint64_t last = std::uint64_t{first} + count - 1;
    return text + "s " + std::to_string(first) + "-" + std::to_string(last);
}

std::optional<RuleExtent> read_extent(Kind kind, std::string_view mount, std::string_view storage,
                                      std::string_view count, std::vector<std::string>& problems) {
    const std::string id_name(kind_name(kind));
    const NumberOrError numbers[] = {read_id(mount, "mount " + id_name),
                                     read_id(storage, "storage " + id_name),
                                     read_count(count, "count")};
    bool ok = true;
    for (const NumberOrError& number : numbers) {
        if (!number.value) {
            problems.push_back(number.error);
            ok = false;
        }
    }
    if (!ok) return std::nullopt;
    const RuleExtent extent{*numbers[0].value, *numbers[1].value, *numbers[2].value};
    for (const bool mount_side : {true, false}) {
        const std::uint32_t first = first_on(extent, mount_side);
        // The last id, first + count - 1, must stay <= kMaxId; written as a subtraction.
        if (extent.count - 1 > kMaxId - first) {
            problems.push_back("range of " + std::to_string(extent.count) + " ids from " +
                               (mount_side ? "mount " : "storage ") + id_name + " " +
                               std::to_string(first) +
                               " runs past 4294967294 (the largest valid id)");
            return std::nullopt;
        }
    }
    return extent;
}

RuleTable::Side& RuleTable::side(Kind kind, bool mount) noexcept {
    if (kind == Kind::uid) return mount ? uid_mount_ : uid_storage_;
    return mount ? gid_mount_ : gid_storage_;
}

const RuleTable::Side& RuleTable::side(Kind kind, bool mount) const noexcept {
    if (kind == Kind::uid) return mount ? uid_mount_ : uid_storage_;
    return mount ? gid_mount_ : gid_storage_;
}

const RuleOrigin* RuleTable::overlap_on(const Side& accepted, std::uint32_t first,
                                        std::uint32_t count, bool mount) const {
    // Accepted extents are disjoint, so only two can matter: the last one starting at or before
    // `first` (overlaps if it reaches `first`), and the next one (overlaps if it starts by `last`).
    auto next = accepted.upper_bound(first);
    if (next != accepted.begin()) {
        const RuleOrigin& before = origins_[std::prev(next)->second];
        if (covers(first_on(before.extent, mount), before.extent.count, first)) return &before;
    }
    if (next != accepted.end() && covers(first, count, next->first)) {
        return &origins_[next->second];
    }
    return nullptr;
}

RuleTable::Overlaps RuleTable::overlaps(Kind kind, const RuleExtent& extent) const {
    return {overlap_on(side(kind, true), extent.mount_first, extent.count, true),
            overlap_on(side(kind, false), extent.storage_first, extent.count, false)};
}

std::vector<std::string> RuleTable::overlap_messages(
    Kind kind, const RuleExtent& extent, const Overlaps& overlaps,
    const std::function<std::string(const RuleOrigin&)>& name_rule) {
    const std::string mount = describe_side("mount", kind, extent.mount_first, extent.count);
    const std::string storage = describe_side("storage", kind, extent.storage_first, extent.count);
    const std::string one_verb = extent.count == 1 ? " overlaps " : " overlap ";
    if (overlaps.mount && overlaps.mount == overlaps.storage) {
        return {mount + " and " + storage + " overlap " + name_rule(*overlaps.mount)};
    }
    std::vector<std::string> messages;
    if (overlaps.mount) messages.push_back(mount + one_verb + name_rule(*overlaps.mount));
    if (overlaps.storage) messages.push_back(storage + one_verb + name_rule(*overlaps.storage));
    return messages;
}

void RuleTable::add(RuleOrigin origin) {
    const std::size_t index = origins_.size();
    side(origin.kind, true).emplace(origin.extent.mount_first, index);
    side(origin.kind, false).emplace(origin.extent.storage_first, index);
    origins_.push_back(std::move(origin));
}

IdMap RuleTable::build(const Policy& policy) const {
    std::vector<RuleExtent> uids;
    std::vector<RuleExtent> gids;
    for (const RuleOrigin& origin : origins_) {
        (origin.kind == Kind::uid ? uids : gids).push_back(origin.extent);
    }
    // The one place where a rule's kind, known only at run time, becomes its extent's type.
    return IdMap(UidRangeMap::from_rules(uids), GidRangeMap::from_rules(gids), policy, origins_);
}

}  // namespace idshift::idmap

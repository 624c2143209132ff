#pragma once
// The rules of one map as they are accepted, in the order written: refuses a rule that overlaps an
// accepted one on either side (the kernel's uid_map rule), then builds the IdMap.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "idshift/idmap/id_map.hpp"

namespace idshift::idmap {

// "mount uid 7" / "storage gids 10-19": one side of an extent, for messages.
std::string describe_side(std::string_view side, Kind kind, std::uint32_t first,
                          std::uint32_t count);

// Reads the MOUNT STORAGE COUNT words of a range into an extent that stays within kMaxId on both
// sides; each problem found (with any of the three, or the range running past kMaxId) is
// appended to `problems`, and nullopt returned.
std::optional<RuleExtent> read_extent(Kind kind, std::string_view mount, std::string_view storage,
                                      std::string_view count, std::vector<std::string>& problems);

class RuleTable {
  public:
    // Accepted rules that `extent` would overlap: the lowest one on each side, or nullptr.
    struct Overlaps {
        const RuleOrigin* mount = nullptr;
        const RuleOrigin* storage = nullptr;
        bool any() const noexcept { return mount || storage; }
    };

    // Precondition: the extent stays within kMaxId on both sides (see read_extent).
    Overlaps overlaps(Kind kind, const RuleExtent& extent) const;

    // "mount uids 10-19 overlap the rule at line 3 (uid 0 100000 65536)": one message per other
    // rule (one when both sides hit the same rule). `name_rule` says how to refer to a rule.
    static std::vector<std::string> overlap_messages(
        Kind kind, const RuleExtent& extent, const Overlaps& overlaps,
        const std::function<std::string(const RuleOrigin&)>& name_rule);

    // Precondition: overlaps(origin.kind, origin.extent) found nothing.
    void add(RuleOrigin origin);

    IdMap build(const Policy& policy) const;

  private:
    // Accepted extents of one side and kind, keyed by their first id; values index origins_.
    using Side = std::map<std::uint32_t, std::size_t>;

    const RuleOrigin* overlap_on(const Side& side, std::uint32_t first, std::uint32_t count,
                                 bool mount) const;
    Side& side(Kind kind, bool mount) noexcept;
    const Side& side(Kind kind, bool mount) const noexcept;

    std::vector<RuleOrigin> origins_;
    Side uid_mount_, uid_storage_, gid_mount_, gid_storage_;
};

}  // namespace idshift::idmap

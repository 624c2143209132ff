// `idshift check`'s table: one aligned line per rule, then the two policies.
#include <algorithm>
#include <array>
#include <tuple>

#include "idshift/idmap/map_file.hpp"

namespace idshift::idmap {
namespace {

constexpr std::size_t kColumns = 6;  // kind, mount ids, storage ids, count, source, text
using Row = std::array<std::string, kColumns>;
// Spaces after each column: "mount 0-65535 -> storage ..." reads as one phrase.
constexpr std::array<std::size_t, kColumns - 1> kGap = {2, 1, 2, 2, 2};

std::string id_span(std::uint32_t first, std::uint32_t count) {
    if (count == 1) return std::to_string(first);
    return std::to_string(first) + "-" + std::to_string(std::uint64_t{first} + count - 1);
}

Row row_of(const RuleOrigin& rule) {
    const RuleExtent& e = rule.extent;
    std::string source = rule.file;
    if (rule.line > 0) source += ":" + std::to_string(rule.line);
    return {rule.kind == Kind::uid ? "uid" : "gid",
            "mount " + id_span(e.mount_first, e.count),
            "-> storage " + id_span(e.storage_first, e.count),
            "(" + std::to_string(e.count) + (e.count == 1 ? " id)" : " ids)"),
            std::move(source),
            rule.text};
}

// A map built in code has no origins; its extents are still worth showing.
std::vector<RuleOrigin> rules_of(const IdMap& map) {
    std::vector<RuleOrigin> rules = map.origins();
    if (rules.empty()) {
        for (const UidExtent& e : map.uids().extents())
            rules.push_back({Kind::uid, e.rule(), {}, 0, {}});
        for (const GidExtent& e : map.gids().extents())
            rules.push_back({Kind::gid, e.rule(), {}, 0, {}});
    }
    std::stable_sort(rules.begin(), rules.end(), [](const RuleOrigin& a, const RuleOrigin& b) {
        return std::tuple(a.kind, a.extent.mount_first) < std::tuple(b.kind, b.extent.mount_first);
    });
    return rules;
}

std::string policy_lines(const Policy& policy) {
    std::string text = "unmapped-read   a storage uid no rule covers reads as " +
                       std::to_string(raw(policy.unmapped_read_uid)) + ", a storage gid as " +
                       std::to_string(raw(policy.unmapped_read_gid)) + "\n";
    if (policy.unmapped_write == UnmappedWrite::deny) {
        text +=
            "unmapped-write  deny: writing an id no rule covers fails (EOVERFLOW; EINVAL in an "
            "ACL)\n";
    } else {
        text += "unmapped-write  squash: an id no rule covers is stored as storage uid " +
                std::to_string(raw(policy.squash_uid)) + ", gid " +
                std::to_string(raw(policy.squash_gid)) + "\n";
    }
    return text;
}

}  // namespace

std::string describe(const IdMap& map) {
    std::vector<Row> rows;
    for (const RuleOrigin& rule : rules_of(map))
        rows.push_back(row_of(rule));

    std::array<std::size_t, kColumns> width{};
    for (const Row& row : rows) {
        for (std::size_t c = 0; c < kColumns; ++c)
            width[c] = std::max(width[c], row[c].size());
    }
    std::string text;
    if (rows.empty()) text += "no rules: every storage id is unmapped\n";
    for (const Row& row : rows) {
        std::string line;
        for (std::size_t c = 0; c < kColumns; ++c) {
            line += row[c];
            if (c + 1 < kColumns) line.append(width[c] - row[c].size() + kGap[c], ' ');
        }
        line.erase(line.find_last_not_of(' ') + 1);
        text += line + "\n";
    }
    return text + policy_lines(map.policy());
}

}  // namespace idshift::idmap

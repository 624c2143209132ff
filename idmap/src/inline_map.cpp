// The command-line forms uidmap=M:S:N[:M:S:N...] and gidmap=..., the order of /proc/PID/uid_map.
#include <string>
#include <vector>

#include "idshift/idmap/map_file.hpp"
#include "rule_table.hpp"

namespace idshift::idmap {
namespace {

std::vector<std::string_view> split_colons(std::string_view text) {
    std::vector<std::string_view> fields;
    for (;;) {
        const std::size_t colon = text.find(':');
        fields.push_back(text.substr(0, colon));
        if (colon == std::string_view::npos) return fields;
        text.remove_prefix(colon + 1);
    }
}

void parse_triplets(Kind kind, std::string_view text, RuleTable& table, ParseErrors& errors) {
    if (text.empty()) return;
    const std::string file = kind == Kind::uid ? "uidmap=" : "gidmap=";
    const std::vector<std::string_view> fields = split_colons(text);
    if (fields.size() % 3 != 0) {
        errors.push_back({file, 0,
                          "expected MOUNT:STORAGE:COUNT triplets, but got " +
                              std::to_string(fields.size()) + " numbers (not a multiple of 3)"});
        return;
    }
    for (std::size_t i = 0; i < fields.size(); i += 3) {
        const std::string triplet = std::string(fields[i]) + ":" + std::string(fields[i + 1]) +
                                    ":" + std::string(fields[i + 2]);
        const std::string prefix = "triplet " + std::to_string(i / 3 + 1) + " (" + triplet + ")";
        const auto fail = [&](const std::string& message) {
            errors.push_back({file, 0, prefix + ": " + message});
        };
        std::vector<std::string> problems;
        const auto read = read_extent(kind, fields[i], fields[i + 1], fields[i + 2], problems);
        for (const std::string& problem : problems)
            fail(problem);
        if (!read) continue;
        const RuleExtent extent = *read;
        const RuleTable::Overlaps overlaps = table.overlaps(kind, extent);
        if (overlaps.any()) {
            for (const std::string& message : RuleTable::overlap_messages(
                     kind, extent, overlaps, [](const RuleOrigin& other) { return other.text; })) {
                fail(message);
            }
            continue;
        }
        table.add({kind, extent, file, 0, prefix});
    }
}

}  // namespace

MapLoad parse_inline_map(std::string_view uidmap, std::string_view gidmap, const Policy& policy) {
    ParseErrors errors;
    RuleTable table;
    parse_triplets(Kind::uid, uidmap, table, errors);
    parse_triplets(Kind::gid, gidmap, table, errors);
    if (!errors.empty()) return {std::nullopt, std::move(errors)};
    return {table.build(policy), {}};
}

}  // namespace idshift::idmap

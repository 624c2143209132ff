// The idmap file: a syntax pass over every line, then names resolved against the databases (which
// may be declared anywhere in the file), then overlap checks in line order.
#include "idshift/idmap/map_file.hpp"

#include <algorithm>

#include "map_names.hpp"
#include "map_syntax.hpp"
#include "rule_table.hpp"
#include "text_file.hpp"

namespace idshift::idmap {
namespace {

std::string rule_at_line(const RuleOrigin& rule) {
    return "the rule at line " + std::to_string(rule.line) + " (" + rule.text + ")";
}

// Errors come out in map-file line order; errors inside a passwd/group file sort with the map
// line that declared that file.
void sort_errors(ParseErrors& errors, const std::string& file, const MapSpec& spec) {
    const auto key = [&](const ParseError& e) {
        if (e.file == file) return e.line;
        int line = 0;
        for (const DatabaseDecl* decl :
             {&spec.passwd, &spec.group, &spec.storage_passwd, &spec.storage_group}) {
            if (decl->declared() && decl->path == e.file && (line == 0 || decl->line < line)) {
                line = decl->line;
            }
        }
        return line;
    };
    std::stable_sort(errors.begin(), errors.end(),
                     [&](const ParseError& a, const ParseError& b) { return key(a) < key(b); });
}

}  // namespace

MapLoad parse_map_text(std::string_view text, const std::string& file,
                       const NameResolver& storage_names, FileTrust trust) {
    ParseErrors errors;
    const MapSpec spec = parse_map_syntax(text, file, errors);
    MapNames names(spec, file, storage_names, trust, errors);
    RuleTable table;
    for (const WrittenRule& rule : spec.rules) {
        const std::optional<RuleExtent> extent = rule.range ? rule.range : names.resolve(rule);
        if (!extent) continue;
        const RuleTable::Overlaps overlaps = table.overlaps(rule.kind, *extent);
        if (overlaps.any()) {
            // A name rule's ids are not on its line, so the message says which rule it is.
            const std::string prefix = rule.range ? "" : rule.text + ": ";
            for (std::string& message :
                 RuleTable::overlap_messages(rule.kind, *extent, overlaps, rule_at_line)) {
                errors.push_back({file, rule.line, prefix + message});
            }
            continue;
        }
        table.add({rule.kind, *extent, file, rule.line, rule.text});
    }
    if (spec.names_auto_line != 0) names.add_auto_names(table, spec.names_auto_line);

    if (!errors.empty()) {
        sort_errors(errors, file, spec);
        return {std::nullopt, std::move(errors)};
    }
    return {table.build(spec.policy), {}};
}

MapLoad load_map_file(const std::string& path, const NameResolver& storage_names, FileTrust trust) {
    const TextFile file = read_text_file(path, trust);
    if (file.untrusted) return {std::nullopt, {{path, 0, file.error}}};
    if (!file.text) return {std::nullopt, {{path, 0, "cannot read: " + file.error}}};
    return parse_map_text(*file.text, path, storage_names, trust);
}

}  // namespace idshift::idmap

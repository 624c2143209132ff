#pragma once
// The idmap file format (see idshift.map(5) and DESIGN §3) and the inline command-line forms.
#include <optional>
#include <string>
#include <string_view>

#include "idshift/idmap/id_map.hpp"
#include "idshift/idmap/map_file_trust.hpp"
#include "idshift/idmap/name_resolver.hpp"
#include "idshift/idmap/parse_error.hpp"

namespace idshift::idmap {

// The outcome of loading a map: either a map or every error found (never both).
struct MapLoad {
    std::optional<IdMap> map;
    ParseErrors errors;
    bool ok() const noexcept { return map.has_value(); }
};

// Parses map text. `file` names the source in errors and in RuleOrigin. Relative paths of
// passwd/group files are resolved against the directory of `file`. Storage-side names go through
// `storage_names` unless the map names storage-passwd/storage-group files. `trust` applies to the
// passwd/group files the text names.
MapLoad parse_map_text(std::string_view text, const std::string& file,
                       const NameResolver& storage_names, FileTrust trust = FileTrust::checked);

// Reads `path` and parses it; an unreadable file is one error "PATH: cannot read: <reason>", and
// one that others could have written (FileTrust::checked) is one error naming it and the fix.
MapLoad load_map_file(const std::string& path, const NameResolver& storage_names,
                      FileTrust trust = FileTrust::checked);

// The command-line forms: uidmap=M:S:N[:M:S:N...] and gidmap=... (either may be empty, meaning no
// rules of that kind). Errors are reported against the file names "uidmap=" / "gidmap=", with
// line 0 and the 1-based triplet number in the message.
MapLoad parse_inline_map(std::string_view uidmap, std::string_view gidmap,
                         const Policy& policy = {});

// A human-readable table of the effective rules, one per line, each with its source line,
// followed by the policies. Printed by `idshift check`.
std::string describe(const IdMap& map);

}  // namespace idshift::idmap

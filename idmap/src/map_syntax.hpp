#pragma once
// The first pass over a map file: every line is split into a directive and checked for syntax.
// Nothing is resolved yet (names need the databases, which may be declared further down).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "idshift/idmap/id_map.hpp"
#include "idshift/idmap/parse_error.hpp"

namespace idshift::idmap {

// A `uid`/`gid` range line or a `user`/`group` name line.
struct WrittenRule {
    Kind kind = Kind::uid;
    int line = 0;
    std::string text;                 // the tokens as written, one space apart
    std::optional<RuleExtent> range;  // set for a range line (already checked for overflow)
    std::string mount_name;           // set for a name line: a name or a decimal id
    std::string storage_name;         // likewise; equal to mount_name for `user NAME`
};

struct DatabaseDecl {
    std::string path;  // resolved beside the map file
    int line = 0;      // 0: not declared
    bool declared() const noexcept { return line > 0; }
};

struct MapSpec {
    std::vector<WrittenRule> rules;  // in line order
    DatabaseDecl passwd, group, storage_passwd, storage_group;
    int names_auto_line = 0;  // 0: no `names auto`
    int unmapped_read_line = 0;
    int unmapped_write_line = 0;
    Policy policy;
};

// Reads every line of `text`; each syntax error is appended with `file` and its line, and the
// line is otherwise ignored so that later lines are still checked.
MapSpec parse_map_syntax(std::string_view text, const std::string& file, ParseErrors& errors);

}  // namespace idshift::idmap

#pragma once
// `idshift map --from-userns PID`: a map that shifts storage ids 0.. into a user namespace.
#include <string>
#include <string_view>
#include <vector>

#include "idshift/idmap/extent.hpp"
#include "idshift/idmap/parse_error.hpp"

namespace idshift::idmap {

// Parses the text of /proc/PID/uid_map or gid_map ("inside outside count" per line) literally, in
// RuleExtent's field order: mount_first = inside, storage_first = outside. render_userns_map swaps
// the sides. Errors carry `file` and the line.
std::vector<RuleExtent> parse_proc_id_map(std::string_view text, const std::string& file,
                                          ParseErrors& errors);

// Renders a map file in which the namespace's ids (the "outside" host ids, as FUSE sees the
// container's callers) are the mount side, and the namespace-inside ids are the storage side: so
// the container's root (inside 0) stores as storage 0. Includes a header comment naming the PID.
std::string render_userns_map(int pid, const std::vector<RuleExtent>& uid_map,
                              const std::vector<RuleExtent>& gid_map);

}  // namespace idshift::idmap

#include "config.hpp"

namespace idshift::daemon {

idmap::MapLoad load_map(const Config& config) {
    if (config.map_file) return idmap::load_map_file(*config.map_file, idmap::NssResolver{});
    return idmap::parse_inline_map(config.uidmap.value_or(""), config.gidmap.value_or(""));
}

}  // namespace idshift::daemon

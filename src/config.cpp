#include "config.hpp"

#include <spdlog/spdlog.h>

namespace idshift::daemon {

idmap::MapLoad load_map(const Config& config) {
    if (config.map_file) {
        if (config.map_trust == idmap::FileTrust::unchecked) {
            spdlog::warn(
                "{}: -o map_owner_check=off: the map and its user databases are read even "
                "if users other than root can edit them",
                *config.map_file);
        }
        return idmap::load_map_file(*config.map_file, idmap::NssResolver{}, config.map_trust);
    }
    return idmap::parse_inline_map(config.uidmap.value_or(""), config.gidmap.value_or(""));
}

}  // namespace idshift::daemon

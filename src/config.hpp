#pragma once
// Everything the command line decides, as plain data passed by reference (never global).
#include <spdlog/common.h>

#include <optional>
#include <string>

#include "idshift/fusell/options.hpp"
#include "idshift/fusell/session.hpp"
#include "idshift/idmap/map_file.hpp"
#include "idshift/kext/options.hpp"

namespace idshift::daemon {

// -o backend=: which backend serves the mount (DESIGN §8).
enum class Backend {
    automatic,  // the kernel's idmapped mount where it can mean the same as the map, else FUSE
    fuse,       // always the FUSE filesystem
    kernel,     // always the idmapped mount; refuse to start, with the reason, where it cannot
};

struct Config {
    std::string source;
    std::string mountpoint;
    bool foreground = false;
    bool debug = false;  // -d: foreground, debug logging, every request traced
    spdlog::level::level_enum log_level = spdlog::level::info;

    // Exactly one of: a map file (reloadable with SIGHUP), or inline maps.
    std::optional<std::string> map_file;
    // -o map_owner_check=off reads a map and its databases however others may have written them.
    idmap::FileTrust map_trust = idmap::FileTrust::checked;
    std::optional<std::string> uidmap;
    std::optional<std::string> gidmap;

    // -o stats_socket=PATH: where `idshift stats` finds the daemon; empty: the default
    // (/run/idshift/<escaped mountpoint>.sock); "none": no statistics socket.
    std::string stats_socket;

    Backend backend = Backend::automatic;

    fusell::FsOptions fs;
    fusell::MountOptions mount;
    // -o passthrough=, max_stack_depth=, killpriv_v2=, allow_idmap=: kernel-protocol extras the
    // daemon negotiates itself; never passed to the kernel as mount options.
    fusell::kext::Options kext;
};

// Loads the map the configuration names: the map file (storage names through NSS), or the inline
// uidmap=/gidmap= rules.
idmap::MapLoad load_map(const Config& config);

}  // namespace idshift::daemon

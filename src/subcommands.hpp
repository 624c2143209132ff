#pragma once
// Each subcommand takes the arguments after its own name and returns the process exit code.
#include <span>
#include <string_view>

namespace idshift::daemon {

// idshift check MAP...: print the effective table, or every error; exit 0 / 1.
int run_check(std::span<char* const> args);
// idshift map --from-userns PID: print a map shifting storage ids 0.. into PID's user namespace.
int run_map(std::span<char* const> args);
// idshift map --from-image ROOTFS ...: print the map built from an image's user database.
int run_map_from_image(std::span<char* const> args);
// idshift oci-hook [--config FILE]: the OCI runtime hook (container state on stdin).
int run_oci_hook(std::span<char* const> args);
// idshift stats [--prometheus] MNT | --socket PATH: print a running daemon's counters.
int run_stats(std::span<char* const> args);
// idshift reload MNT: a kernel-backend mount gets its map file's current map (a new idmapped
// mount replaces the old one); exit 0 / 1.
int run_reload(std::span<char* const> args);
// idshift [options] SRC MNT: mount.
int run_mount(int argc, char** argv);

}  // namespace idshift::daemon

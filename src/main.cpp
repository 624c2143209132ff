// idshift entry point: subcommands first (check, map, oci-hook, reload, stats), everything else is
// a mount.
#include <cstring>
#include <span>
#include <string_view>

#include "subcommands.hpp"

int main(int argc, char** argv) {
    using namespace idshift::daemon;
    if (argc >= 2) {
        const std::string_view command = argv[1];
        const std::span<char* const> rest(argv + 2, static_cast<std::size_t>(argc - 2));
        if (command == "check") return run_check(rest);
        if (command == "map") return run_map(rest);
        if (command == "oci-hook") return run_oci_hook(rest);
        if (command == "stats") return run_stats(rest);
        if (command == "reload") return run_reload(rest);
    }
    return run_mount(argc, argv);
}

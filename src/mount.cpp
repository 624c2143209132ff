// Placeholder until the filesystem lands: the mount path is built in fuse/ and wired here.
#include <cstdio>

#include "subcommands.hpp"

namespace idshift::daemon {

int run_mount(int, char**) {
    std::fputs("idshift: mounting is not built yet\n", stderr);
    return 2;
}

}  // namespace idshift::daemon

#include "support/kernel_mount.hpp"

#include <sys/mount.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "support/child.hpp"
#include "support/mountinfo.hpp"

namespace idshift::itest {

ProgramRun run_idshift(const std::vector<std::string>& args) {
    const char* binary = std::getenv("IDSHIFT_BIN");
    if (binary == nullptr || *binary == '\0')
        throw std::runtime_error("IDSHIFT_BIN is not set (ctest sets it to the built daemon)");
    std::vector<std::string> argv{binary};
    argv.insert(argv.end(), args.begin(), args.end());
    ProgramRun run;
    run.exit_code = run_program(argv, &run.output);
    return run;
}

IdmappedMountGuard::~IdmappedMountGuard() {
    while (mounts_at(mount_point_) > 0) {
        if (::umount2(mount_point_.c_str(), MNT_DETACH) != 0) return;
    }
}

int mounts_at(const std::string& mount_point) {
    std::ifstream mountinfo("/proc/self/mountinfo");
    int count = 0;
    for (std::string line; std::getline(mountinfo, line);) {
        std::istringstream fields(line);
        std::string id, parent, device, root, point;
        fields >> id >> parent >> device >> root >> point;
        if (point == mount_point) ++count;  // test paths need no unescaping
    }
    return count;
}

}  // namespace idshift::itest

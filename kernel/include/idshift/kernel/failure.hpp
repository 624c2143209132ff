#pragma once
// How a step of the kernel backend failed: the errno value and the step's name, so the one log
// line (or the error of -o backend=kernel) says exactly which call refused and why.
#include <string>

namespace idshift::kernel {

struct Failure {
    int error = 0;     // errno value
    std::string step;  // e.g. "mount_setattr(MOUNT_ATTR_IDMAP)"
    // "STEP: ENAME (message)"
    std::string describe() const;
};

}  // namespace idshift::kernel

#pragma once
// For the tests of the backend choice and of the kernel backend itself: idshift run to
// completion (on the kernel backend it exits once the idmapped mount is attached), and a guard
// that takes down whatever idmapped mounts a test left on a mount point.
#include <string>
#include <vector>

namespace idshift::itest {

struct ProgramRun {
    int exit_code = -1;  // -1 when a signal ended it
    std::string output;  // stdout and stderr together
};

// Runs `$IDSHIFT_BIN args...` and waits for it.
ProgramRun run_idshift(const std::vector<std::string>& args);

// Detaches every mount stacked on `mount_point` when it goes out of scope (idmapped ones, and a
// FUSE mount a wrong backend choice made), so a failed assertion never leaves a mount behind.
class IdmappedMountGuard {
  public:
    explicit IdmappedMountGuard(std::string mount_point) : mount_point_(std::move(mount_point)) {}
    IdmappedMountGuard(const IdmappedMountGuard&) = delete;
    IdmappedMountGuard& operator=(const IdmappedMountGuard&) = delete;
    ~IdmappedMountGuard();

  private:
    std::string mount_point_;
};

// How many mounts /proc/self/mountinfo lists at exactly `mount_point` (stacked ones included).
int mounts_at(const std::string& mount_point);

}  // namespace idshift::itest

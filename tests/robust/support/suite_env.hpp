#pragma once
// Where a suite runs: which filesystem it checks and whether this machine allows it at all.
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "args.hpp"

namespace idshift::robust {

// idshift is what CI checks. bindfs and native exist to prove a suite's own logic: "native"
// compares a plain directory with a second plain directory (identity ids, no daemon).
enum class Target { idshift, bindfs, native };

struct SuiteEnv {
    std::string suite;
    Target target = Target::idshift;
    std::filesystem::path daemon;  // the idshift or bindfs executable
    // idshift's -o backend=: "fuse" unless the suite is registered on the kernel backend too
    // ($IDSHIFT_TEST_BACKEND=kernel). Pinned, never auto, so FUSE-only suites stay on FUSE.
    std::string backend = "fuse";
    // The data-path variant ($IDSHIFT_TEST_VARIANT): "" (passthrough on, cache=auto),
    // "nopassthrough" (-o passthrough=off) or "nocache" (-o cache=none). DaemonMount mounts with
    // it and proves the daemon really runs it, so a variant cannot pass on the default path.
    std::string variant;
    bool kernel_backend() const { return target == Target::idshift && backend == "kernel"; }
};

std::string_view target_name(Target target);

// Reads --target (default: $IDSHIFT_ROBUST_TARGET, else idshift) and $IDSHIFT_BIN, and exits
// with 77, CTest's skip code, naming the reason, when the suite cannot run: not root, no usable
// /dev/fuse, no daemon binary, or a target the suite does not support.
SuiteEnv require_environment(std::string_view suite, const Args& args, bool supports_native,
                             bool supports_bindfs);

// A suite's main: runs `body`, turning an exception that escapes it into a message naming the
// suite and exit status 1 (after the destructors have unmounted and cleaned up).
int guarded_main(std::string_view suite, const std::function<int()>& body);

}  // namespace idshift::robust

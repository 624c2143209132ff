#pragma once
// What came of each kernel-protocol extra: offered by the kernel, negotiated in the INIT reply,
// and usable. Feeds the startup log line and metrics.

#include <cstdint>
#include <string>
#include <string_view>

namespace idshift::fusell::kext {

enum class Feature { passthrough, killpriv_v2, allow_idmap };

// Why a feature is off (Reason::none when it is on).
enum class Reason {
    none,
    pending,                    // no INIT seen yet
    disabled_by_option,         // the daemon's options turned it off
    kernel_lacks_feature,       // the kernel did not offer it (or ignored it: probe said EPERM
                                // although the daemon holds CAP_SYS_ADMIN)
    writeback_conflict,         // the filesystem asked for the writeback cache, which the kernel
                                // will not combine with passthrough
    stack_depth,                // max_stack_depth outside 1..2
    no_cap_sys_admin,           // BACKING_OPEN needs CAP_SYS_ADMIN in the initial user namespace
    needs_default_permissions,  // ALLOW_IDMAP without default_permissions would fail the INIT
    probe_failed,               // the post-INIT BACKING_OPEN probe failed in an unexpected way
};

struct FeatureStatus {
    bool offered = false;     // the kernel offered the flag in its INIT request
    bool negotiated = false;  // the module set it in the INIT reply
    bool available = false;   // usable now (for passthrough: the probe succeeded)
    Reason reason = Reason::pending;
};

struct Status {
    FeatureStatus passthrough;
    FeatureStatus killpriv_v2;
    FeatureStatus allow_idmap;
    std::uint32_t max_stack_depth = 0;  // as negotiated; 0 when passthrough is not negotiated
};

// Stable, machine-friendly reason names: "no_cap_sys_admin", "writeback_conflict", ...
[[nodiscard]] std::string_view reason_name(Reason reason) noexcept;

// One feature, for the log: "passthrough: on (max_stack_depth=1)",
// "passthrough: off (kernel lacks FUSE_PASSTHROUGH)", "killpriv_v2: on".
[[nodiscard]] std::string describe(Feature feature, const Status& status);

// Who carries regular files' data, for the startup log: "passthrough (max_stack_depth=1)" or
// "through the daemon (kernel lacks FUSE_PASSTHROUGH)".
[[nodiscard]] std::string describe_data_path(const Status& status);

// All three features in one line, separated by "; ".
[[nodiscard]] std::string describe(const Status& status);

}  // namespace idshift::fusell::kext

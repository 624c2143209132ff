#include "idshift/kext/status.hpp"

namespace idshift::fusell::kext {
namespace {

std::string_view feature_name(Feature feature) noexcept {
    switch (feature) {
        case Feature::passthrough:
            return "passthrough";
        case Feature::killpriv_v2:
            return "killpriv_v2";
        case Feature::allow_idmap:
            return "allow_idmap";
    }
    return "?";
}

std::string_view kernel_flag_name(Feature feature) noexcept {
    switch (feature) {
        case Feature::passthrough:
            return "FUSE_PASSTHROUGH";
        case Feature::killpriv_v2:
            return "FUSE_HANDLE_KILLPRIV_V2";
        case Feature::allow_idmap:
            return "FUSE_ALLOW_IDMAP";
    }
    return "?";
}

const FeatureStatus& feature_status(Feature feature, const Status& status) noexcept {
    switch (feature) {
        case Feature::passthrough:
            return status.passthrough;
        case Feature::killpriv_v2:
            return status.killpriv_v2;
        case Feature::allow_idmap:
            return status.allow_idmap;
    }
    return status.passthrough;
}

std::string why_off(Feature feature, Reason reason) {
    switch (reason) {
        case Reason::none:
            return "";
        case Reason::pending:
            return "INIT not seen yet";
        case Reason::disabled_by_option:
            return "disabled by option";
        case Reason::kernel_lacks_feature:
            return "kernel lacks " + std::string(kernel_flag_name(feature));
        case Reason::writeback_conflict:
            return "writeback cache requested";
        case Reason::stack_depth:
            return "max_stack_depth must be 1 or 2";
        case Reason::no_cap_sys_admin:
            return "no CAP_SYS_ADMIN";
        case Reason::needs_default_permissions:
            return "needs default_permissions";
        case Reason::probe_failed:
            return "backing-file probe failed";
    }
    return "?";
}

}  // namespace

std::string_view reason_name(Reason reason) noexcept {
    switch (reason) {
        case Reason::none:
            return "none";
        case Reason::pending:
            return "pending";
        case Reason::disabled_by_option:
            return "disabled_by_option";
        case Reason::kernel_lacks_feature:
            return "kernel_lacks_feature";
        case Reason::writeback_conflict:
            return "writeback_conflict";
        case Reason::stack_depth:
            return "stack_depth";
        case Reason::no_cap_sys_admin:
            return "no_cap_sys_admin";
        case Reason::needs_default_permissions:
            return "needs_default_permissions";
        case Reason::probe_failed:
            return "probe_failed";
    }
    return "?";
}

std::string describe(Feature feature, const Status& status) {
    const FeatureStatus& fs = feature_status(feature, status);
    std::string line(feature_name(feature));
    if (fs.available) {
        line += ": on";
        if (feature == Feature::passthrough) {
            line += " (max_stack_depth=" + std::to_string(status.max_stack_depth) + ")";
        }
        return line;
    }
    return line + ": off (" + why_off(feature, fs.reason) + ")";
}

std::string describe_data_path(const Status& status) {
    if (status.passthrough.available) {
        return "passthrough (max_stack_depth=" + std::to_string(status.max_stack_depth) + ")";
    }
    return "through the daemon (" + why_off(Feature::passthrough, status.passthrough.reason) + ")";
}

std::string describe(const Status& status) {
    return describe(Feature::passthrough, status) + "; " + describe(Feature::killpriv_v2, status) +
           "; " + describe(Feature::allow_idmap, status);
}

}  // namespace idshift::fusell::kext

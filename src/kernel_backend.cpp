#include "kernel_backend.hpp"

#include <filesystem>
#include <system_error>
#include <variant>

#include "idshift/kernel/map_compiler.hpp"
#include "idshift/kernel/user_namespace.hpp"
#include "kernel_record.hpp"

namespace idshift::daemon {

kernel::MountFlags kernel_mount_flags(const Config& config) {
    kernel::MountFlags flags;
    flags.read_only = config.mount.read_only;
    flags.nodev = !config.mount.dev;
    // Later words win, as mount(8) reads them.
    for (const std::string& word : config.mount.flags) {
        if (word == "suid") flags.nosuid = false;
        if (word == "nosuid") flags.nosuid = true;
        if (word == "exec") flags.noexec = false;
        if (word == "noexec") flags.noexec = true;
        if (word == "noatime" || word == "strictatime" || word == "atime" || word == "relatime") {
            // One atime mode: the last word given (atime and relatime are the default).
            flags.noatime = word == "noatime";
            flags.strictatime = word == "strictatime";
        }
        if (word == "nodiratime") flags.nodiratime = true;
    }
    return flags;
}

KernelClone make_kernel_clone(const std::string& source, const idmap::IdMap& map,
                              const kernel::MountFlags& flags) {
    auto compiled = kernel::compile_maps(map, kernel::read_kernel_limits());
    if (auto* no = std::get_if<kernel::NotExpressible>(&compiled))
        return {std::nullopt, "the map cannot be expressed by the kernel: " + no->reason, false};
    const auto& maps = std::get<kernel::UsernsMaps>(compiled);
    auto userns = kernel::make_user_namespace(maps);
    if (auto* f = std::get_if<kernel::Failure>(&userns))
        return {std::nullopt, "cannot make the user namespace: " + f->describe()};
    auto prepared = kernel::prepare_mount(source, std::get<sys::UniqueFd>(userns).get(), flags);
    if (auto* f = std::get_if<kernel::PrepareFailure>(&prepared)) {
        if (f->unsupported) {
            return {std::nullopt, "the storage of " + source +
                                      " does not accept idmapped mounts (" + f->failure.describe() +
                                      ")"};
        }
        return {std::nullopt, "cannot make the idmapped mount: " + f->failure.describe()};
    }
    return {std::move(std::get<kernel::DetachedMount>(prepared)),
            "the map fits the kernel (" + std::to_string(maps.uid_extents) + " uid and " +
                std::to_string(maps.gid_extents) +
                " gid extents) and the storage accepts idmapped mounts"};
}

KernelAttempt try_kernel_backend(const Config& config, const idmap::IdMap& map) {
    const kernel::MountFlags flags = kernel_mount_flags(config);
    const std::string source = std::filesystem::absolute(config.source).lexically_normal();
    KernelClone clone = make_kernel_clone(source, map, flags);
    if (!clone.mount) return {false, clone.reason};
    if (auto attached =
            kernel::attach(std::move(*clone.mount), config.mountpoint, kernel::Placement::on_top);
        auto* f = std::get_if<kernel::Failure>(&attached)) {
        return {false, "cannot attach the idmapped mount: " + f->describe()};
    }
    KernelRecord record;
    record.mount_id = kernel::unique_mount_id(config.mountpoint).value_or(0);
    record.source = source;
    if (config.map_file) {
        record.map_file = std::filesystem::absolute(*config.map_file).lexically_normal();
    } else {
        record.uidmap = config.uidmap.value_or("");
        record.gidmap = config.gidmap.value_or("");
    }
    record.flags = flags;
    try {
        write_kernel_record(config.mountpoint, record);
    } catch (const std::system_error& e) {
        // The mount works without it; only stats and reload cannot find it.
        return {true, clone.reason + "; but no record for idshift stats/reload: " + e.what()};
    }
    return {true, clone.reason};
}

}  // namespace idshift::daemon

// idshift reload MOUNTPOINT: a kernel-backend mount has no daemon to take SIGHUP, so a new
// idmapped mount of the same SOURCE, with the map file's current map, replaces the old one.
// Lookups through MOUNTPOINT see the new map at once. What was already inside the old mount (open
// files, working directories, bind mounts taken of it, a container's view of it) keeps the old
// mount and its old map until released: the kernel's idmap belongs to a mount and cannot change.
#include <cstdio>
#include <string>
#include <system_error>
#include <variant>

#include "idshift/idmap/map_file.hpp"
#include "idshift/idmap/name_resolver.hpp"
#include "kernel_backend.hpp"
#include "kernel_record.hpp"
#include "stats_server.hpp"
#include "subcommands.hpp"

namespace idshift::daemon {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

constexpr const char* kUsage =
    "Usage: idshift reload MOUNTPOINT\n"
    "Re-reads the map file of a kernel-backend mount and replaces the mount with one that has\n"
    "the new map. A FUSE-backend mount reloads in place on SIGHUP to its daemon instead.\n";

int fail(const std::string& message) {
    std::fprintf(stderr, "idshift reload: %s\n", message.c_str());
    return kExitFailed;
}

}  // namespace

int run_reload(std::span<char* const> args) {
    if (args.size() == 1 &&
        (std::string_view(args[0]) == "-h" || std::string_view(args[0]) == "--help")) {
        std::fputs(kUsage, stdout);
        return kExitOk;
    }
    if (args.size() != 1 || std::string_view(args[0]).starts_with("-")) {
        std::fprintf(stderr, "idshift reload: expected one MOUNTPOINT\n%s", kUsage);
        return kExitUsage;
    }
    const std::string mountpoint = resolve_mountpoint(args[0]);
    std::optional<KernelRecord> record = find_kernel_record(mountpoint);
    if (!record) {
        return fail(mountpoint +
                    " is not a kernel-backend idshift mount (a FUSE-backend daemon reloads its "
                    "map on SIGHUP)");
    }
    if (record->map_file.empty())
        return fail("the map of " + mountpoint + " was given inline; remount to change it");

    idmap::MapLoad loaded = idmap::load_map_file(record->map_file, idmap::NssResolver{});
    if (!loaded.ok()) {
        for (const auto& error : loaded.errors)
            std::fprintf(stderr, "%s\n", error.to_string().c_str());
        return fail(record->map_file + ": map not reloaded; the mount keeps the old one");
    }
    KernelClone clone = make_kernel_clone(record->source, *loaded.map, record->flags);
    if (!clone.mount) return fail("map not reloaded, the mount keeps the old one: " + clone.reason);
    if (auto attached =
            kernel::attach(std::move(*clone.mount), mountpoint, kernel::Placement::replace);
        auto* f = std::get_if<kernel::Failure>(&attached)) {
        return fail("map not reloaded: " + f->describe());
    }
    record->mount_id = kernel::unique_mount_id(mountpoint).value_or(0);
    try {
        write_kernel_record(mountpoint, *record);
    } catch (const std::system_error& e) {
        return fail("map reloaded, but the record is not updated: " + std::string(e.what()));
    }
    std::printf("%s: map reloaded from %s (%s)\n", mountpoint.c_str(), record->map_file.c_str(),
                clone.reason.c_str());
    return kExitOk;
}

}  // namespace idshift::daemon

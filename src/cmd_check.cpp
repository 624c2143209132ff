// `idshift check`: validates map files (or inline uidmap=/gidmap= options) and prints the
// effective table of each, or every error found.
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "idshift/idmap/map_file.hpp"
#include "idshift/idmap/name_resolver.hpp"
#include "idshift/kernel/map_compiler.hpp"
#include "subcommands.hpp"

namespace idshift::daemon {
namespace {

constexpr std::string_view kUsage =
    "usage: idshift check [-o map_owner_check=off] MAP [MAP...]\n"
    "       idshift check -o uidmap=M:S:N[:M:S:N...][,gidmap=M:S:N[:M:S:N...]]\n"
    "\n"
    "Validates id map files and prints the effective table of each: one line per rule (mount\n"
    "ids -> storage ids, how many, and the line that wrote it), then what happens to ids no\n"
    "rule covers, and whether the kernel backend can carry the map (and why not). Storage-side\n"
    "user and group names resolve through the system's user database unless the map names\n"
    "storage-passwd / storage-group files.\n"
    "\n"
    "A map, and every passwd or group file it names, must be writable only by root or by the\n"
    "user running idshift, and so must every directory above it unless that one is sticky:\n"
    "whoever can edit a map decides who is storage root. -o map_owner_check=off skips that.\n"
    "\n"
    "Exit status: 0 every map is valid; 1 a map has errors (each printed to stderr as\n"
    "FILE:LINE: message); 2 bad usage.\n";

// One map to check: a file, or the uidmap=/gidmap= pair of an -o option.
struct Target {
    std::string label;
    std::string file;  // empty for the inline form
    std::string uidmap;
    std::string gidmap;
};

void print(std::FILE* stream, std::string_view text) {
    std::fwrite(text.data(), 1, text.size(), stream);
}

int usage_error(const std::string& message) {
    print(stderr, "idshift check: " + message + "\n");
    print(stderr, "Try 'idshift check --help'.\n");
    return 2;
}

// "-o uidmap=...,gidmap=..." → a Target, or an error message.
std::optional<Target> inline_target(std::string_view options, std::string& problem) {
    Target target{"-o " + std::string(options), {}, {}, {}};
    while (!options.empty()) {
        const std::size_t comma = options.find(',');
        const std::string_view option = options.substr(0, comma);
        options.remove_prefix(comma == std::string_view::npos ? options.size() : comma + 1);
        if (option.starts_with("uidmap=")) {
            target.uidmap = option.substr(7);
        } else if (option.starts_with("gidmap=")) {
            target.gidmap = option.substr(7);
        } else {
            problem = "-o takes uidmap= and gidmap= here, not '" + std::string(option) + "'";
            return std::nullopt;
        }
    }
    return target;
}

std::string rule_count(const idmap::IdMap& map) {
    const auto count = [](std::size_t n, std::string_view kind) {
        return std::to_string(n) + " " + std::string(kind) + " rule" + (n == 1 ? "" : "s");
    };
    return count(map.uids().extents().size(), "uid") + ", " +
           count(map.gids().extents().size(), "gid");
}

// Whether -o backend=auto can give this map the kernel backend (the storage has its own say at
// mount time), and why not.
std::string kernel_fit(const idmap::IdMap& map) {
    const auto compiled = kernel::compile_maps(map, kernel::read_kernel_limits());
    if (const auto* no = std::get_if<kernel::NotExpressible>(&compiled))
        return "kernel backend: no: " + no->reason + "\n";
    const auto& maps = std::get<kernel::UsernsMaps>(compiled);
    return "kernel backend: yes (" + std::to_string(maps.uid_extents) + " uid and " +
           std::to_string(maps.gid_extents) +
           " gid extents), where the storage accepts idmapped mounts\n";
}

// Prints the table or the errors of one target; true when it is valid.
bool check(const Target& target, const idmap::NameResolver& resolver, idmap::FileTrust trust,
           bool first) {
    const idmap::MapLoad load = target.file.empty()
                                    ? idmap::parse_inline_map(target.uidmap, target.gidmap)
                                    : idmap::load_map_file(target.file, resolver, trust);
    if (!load.ok()) {
        for (const idmap::ParseError& error : load.errors)
            print(stderr, error.to_string() + "\n");
        return false;
    }
    if (!first) print(stdout, "\n");
    print(stdout, target.label + ": valid, " + rule_count(*load.map) + "\n");
    print(stdout, idmap::describe(*load.map));
    print(stdout, kernel_fit(*load.map));
    return true;
}

}  // namespace

int run_check(std::span<char* const> args) {
    std::vector<Target> targets;
    idmap::FileTrust trust = idmap::FileTrust::checked;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view arg = args[i];
        if (arg == "-h" || arg == "--help") {
            print(stdout, kUsage);
            return 0;
        }
        if (arg == "-o") {
            if (i + 1 == args.size()) return usage_error("-o needs uidmap=... and/or gidmap=...");
            if (std::string_view(args[i + 1]) == "map_owner_check=off") {
                trust = idmap::FileTrust::unchecked;
                ++i;
                continue;
            }
            std::string problem;
            auto target = inline_target(args[++i], problem);
            if (!target) return usage_error(problem);
            targets.push_back(std::move(*target));
        } else if (arg.starts_with("-") && arg != "-") {
            return usage_error("unknown option '" + std::string(arg) + "'");
        } else {
            targets.push_back({std::string(arg), std::string(arg), {}, {}});
        }
    }
    if (targets.empty()) return usage_error("no map given");

    const idmap::NssResolver resolver;
    bool all_valid = true;
    bool first = true;
    for (const Target& target : targets) {
        const bool valid = check(target, resolver, trust, first);
        first = first && !valid;
        all_valid = all_valid && valid;
    }
    return all_valid ? 0 : 1;
}

}  // namespace idshift::daemon

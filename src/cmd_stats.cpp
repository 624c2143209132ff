// idshift stats [--prometheus] MOUNTPOINT | --socket PATH: what a running daemon has been doing,
// read from its statistics socket without disturbing the mount.
#include <cstdio>
#include <optional>
#include <string>
#include <system_error>

#include "kernel_record.hpp"
#include "stats_server.hpp"
#include "subcommands.hpp"

namespace idshift::daemon {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitUsage = 2;
constexpr int kExitUnreachable = 1;

constexpr const char* kUsage =
    "Usage: idshift stats [--prometheus] MOUNTPOINT\n"
    "       idshift stats [--prometheus] --socket PATH\n";

int usage_error(const std::string& message) {
    std::fprintf(stderr, "idshift stats: %s\n%s", message.c_str(), kUsage);
    return kExitUsage;
}

}  // namespace

int run_stats(std::span<char* const> args) {
    bool prometheus = false;
    std::optional<std::string> socket;
    std::optional<std::string> mountpoint;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view arg = args[i];
        if (arg == "--prometheus") {
            prometheus = true;
        } else if (arg == "--socket") {
            if (++i == args.size()) return usage_error("--socket needs a path");
            socket = args[i];
        } else if (arg.starts_with("--socket=")) {
            socket = std::string(arg.substr(std::string_view("--socket=").size()));
        } else if (arg == "-h" || arg == "--help") {
            std::fputs(kUsage, stdout);
            return kExitOk;
        } else if (arg.starts_with("-")) {
            return usage_error("unknown option '" + std::string(arg) + "'");
        } else if (mountpoint) {
            return usage_error("unexpected argument '" + std::string(arg) + "'");
        } else {
            mountpoint = std::string(arg);
        }
    }
    if (socket && mountpoint) return usage_error("give a MOUNTPOINT or --socket, not both");
    if (!socket && !mountpoint) return usage_error("missing MOUNTPOINT");
    if (socket && socket->empty()) return usage_error("--socket needs a path");

    // No daemon serves a kernel-backend mount: nothing counts its operations.
    if (mountpoint && find_kernel_record(*mountpoint)) {
        std::fputs("kernel backend: no per-operation counters\n", stdout);
        return kExitOk;
    }
    const std::string path = socket ? *socket : default_stats_socket(*mountpoint);
    try {
        const std::string text = fetch_stats(path, prometheus ? "prometheus" : "table");
        std::fwrite(text.data(), 1, text.size(), stdout);
        return kExitOk;
    } catch (const std::system_error& e) {
        std::fprintf(stderr, "idshift stats: %s\n", e.what());
        if (!socket) {
            std::fprintf(stderr,
                         "idshift stats: is %s an idshift mount whose daemon serves statistics "
                         "(not started with -o stats_socket=none or another path)?\n",
                         mountpoint->c_str());
        }
        return kExitUnreachable;
    }
}

}  // namespace idshift::daemon

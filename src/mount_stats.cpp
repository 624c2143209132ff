#include "mount_stats.hpp"

#include <spdlog/spdlog.h>

#include <exception>

#include "idshift/fusell/stats_render.hpp"

namespace idshift::daemon {

std::unique_ptr<StatsServer> open_stats_server(const std::string& option,
                                               const std::string& mountpoint,
                                               fusell::Filesystem& fs) {
    if (option == "none") return nullptr;
    const std::string path = option.empty() ? default_stats_socket(mountpoint) : option;
    // The daemon installs no passthrough opener (FileOpener's default answers every open
    // through the daemon), so the data path never uses FUSE passthrough.
    const fusell::StatsInfo info{IDSHIFT_VERSION, "off"};
    auto render = [&fs, info](std::string_view request) -> std::string {
        if (request == "prometheus") return fusell::render_prometheus(fs.stats().snapshot(), info);
        if (request == "table") return fusell::render_table(fs.stats().snapshot(), info);
        return "error: unknown request '" + std::string(request) +
               "'; expected 'table' or 'prometheus'\n";
    };
    try {
        auto server =
            std::make_unique<StatsServer>(path, render, [&fs] { fs.flush_refusal_log(); });
        spdlog::info("statistics on {}", path);
        return server;
    } catch (const std::exception& e) {
        spdlog::warn("no statistics socket: {}", e.what());
        return nullptr;
    }
}

}  // namespace idshift::daemon

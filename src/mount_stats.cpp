#include "mount_stats.hpp"

#include <spdlog/spdlog.h>

#include <exception>
#include <utility>

#include "idshift/fusell/stats_render.hpp"

namespace idshift::daemon {

std::unique_ptr<StatsServer> open_stats_server(const std::string& option,
                                               const std::string& mountpoint,
                                               fusell::Filesystem& fs,
                                               std::function<bool()> passthrough_on) {
    if (option == "none") return nullptr;
    const std::string path = option.empty() ? default_stats_socket(mountpoint) : option;
    // Asked at each request: passthrough is known only once the kernel has answered INIT, after
    // the server is set up, and stops when the daemon loses the right to register backing files.
    auto render = [&fs, passthrough_on =
                            std::move(passthrough_on)](std::string_view request) -> std::string {
        const fusell::StatsInfo info{IDSHIFT_VERSION, passthrough_on() ? "on" : "off",
                                     fs.storage_info()};
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

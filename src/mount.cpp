// idshift [options] SOURCE MOUNTPOINT: parse → load the map → open the source → mount →
// daemonize → attach the kernel-protocol extras → drop privileges → serve until unmounted or
// signalled.
#include <fuse_lowlevel.h>
#include <sys/resource.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>
#include <system_error>

#include "background.hpp"
#include "cli.hpp"
#include "fd_keeper.hpp"
#include "idshift/fusell/filesystem.hpp"
#include "idshift/fusell/passthrough_opener.hpp"
#include "idshift/fusell/session.hpp"
#include "idshift/kext/connection.hpp"
#include "kernel_backend.hpp"
#include "logging.hpp"
#include "mount_stats.hpp"
#include "privileges.hpp"
#include "reload.hpp"
#include "staged_volume.hpp"
#include "subcommands.hpp"

namespace idshift::daemon {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitUsage = 1;
constexpr int kExitMount = 2;

// Raises the soft RLIMIT_NOFILE to the hard limit and sizes the fd cache to a quarter of it, so
// that open files, open directories and lock descriptions keep the rest. Returns the limit (0 when
// it cannot be read).
std::size_t size_fd_budget(fusell::FsOptions& options) {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
    if (limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
        getrlimit(RLIMIT_NOFILE, &limit);
    }
    const auto fd_limit = static_cast<std::size_t>(std::min<rlim_t>(limit.rlim_cur, 1U << 20));
    options.fd_cache_size = std::clamp<std::size_t>(fd_limit / 4, 64, 4096);
    return fd_limit;
}

void invalidate_everything(fusell::Filesystem& fs, fusell::Session& session) {
    std::size_t invalidated = 0;
    for (fuse_ino_t ino : fs.known_nodes()) {
        if (session.invalidate_attributes(ino) == 0) ++invalidated;
    }
    spdlog::info("cached attributes of {} nodes invalidated", invalidated);
}

// Puts the kernel-protocol extras (passthrough, KILLPRIV_V2, ALLOW_IDMAP) on the mounted session.
// Runs in the process that serves the loop: the hooks and the connection are per process, so it
// must come after the fork into the background. A failure leaves the mount served without the
// extras.
void attach_extras(fusell::kext::Connection& extras, fusell::Session& session,
                   fusell::Filesystem& fs, const fusell::kext::Options& options) {
    extras.set_negotiated_callback([](const fusell::kext::Status& status) {
        spdlog::info("data path: {}", fusell::kext::describe_data_path(status));
    });
    if (const int rc = extras.attach(session.get()); rc != 0) {
        spdlog::warn("kernel extras: cannot hook the session ({}); data path: through the daemon",
                     std::strerror(-rc));
        return;
    }
    if (options.passthrough)
        fs.set_opener(std::make_unique<fusell::PassthroughOpener>(extras.backing(), fs));
}

int serve(Config& config, idmap::MapHolder& maps) {
    const std::size_t fd_limit = size_fd_budget(config.fs);
    // Staged unless the kernel cannot make a FUSE superblock detached (staged_volume.hpp).
    std::optional<StagedVolume> staged;
    try {
        staged = StagedVolume::prepare(config);
    } catch (const std::system_error& e) {
        spdlog::error("{}", e.what());
        return kExitMount;
    }
    config.fs.staged_root = staged.has_value();
    // Declared before the filesystem, whose passthrough opener leases backing ids from it: it
    // goes last.
    std::optional<fusell::kext::Connection> extras;
    std::optional<fusell::Filesystem> fs;
    try {
        fs.emplace(config.source, config.fs, maps);
    } catch (const std::system_error& e) {
        spdlog::error("{}", e.what());
        return kExitUsage;
    }
    const std::optional<std::string> reload_file =
        config.map_file ? std::optional(std::filesystem::absolute(*config.map_file).string())
                        : std::nullopt;

    // Before mounting: resolving the mountpoint then cannot ask this very daemon.
    const std::unique_ptr<StatsServer> stats =
        open_stats_server(config.stats_socket, config.mountpoint, *fs, [&extras, &config] {
            return config.kext.passthrough && extras && extras->status().passthrough.available;
        });

    SighupThread::prepare_signals();  // before any thread exists, and before libfuse's handlers
    std::optional<fusell::Session> session;
    try {
        session.emplace(*fs, config.mount);
        fusell::kext::Options kext_options = config.kext;
        kext_options.default_permissions = true;  // idshift always mounts with it
        extras.emplace(kext_options);
        session->mount(staged ? staged->take_device_path() : config.mountpoint);
        session->install_signal_handlers();
    } catch (const std::exception& e) {
        spdlog::error("{}", e.what());
        return kExitMount;
    }
    // The parent exits once the volume is mounted: at once for a classic mount, after the
    // attach for a staged one.
    Background background;
    if (!config.foreground) {
        try {
            background = Background::detach();
        } catch (const std::system_error& e) {
            spdlog::error("{}", e.what());
            return kExitMount;
        }
        log_to_syslog();
    }
    attach_extras(*extras, *session, *fs, config.kext);
    // CAP_SYS_ADMIN stays whatever passthrough became: BACKING_OPEN/BACKING_CLOSE need it while
    // passthrough is on, and unmounting at SIGTERM (umount2 as root) needs it in any case.
    const PrivilegeNeeds needs{config.fs.dev};
    try {
        drop_privileges(needs);
    } catch (const std::system_error& e) {
        spdlog::error("dropping capabilities: {}", e.what());
        return kExitMount;
    }
    spdlog::debug("capabilities kept: {}", describe_capabilities());
    if (stats) stats->start();  // after the fork: a thread does not survive it

    SighupThread sighup([&] {
        if (!reload_file) {
            spdlog::warn("SIGHUP: the map was given inline; there is no file to reload");
            return;
        }
        if (reload_map(*reload_file, maps, idmap::NssResolver{}, config.map_trust).empty()) {
            invalidate_everything(*fs, *session);
        }
    });
    if (staged) {
        staged->start_attach(std::move(background), config);
    } else {
        spdlog::info("{} mounted on {}", config.source, config.mountpoint);
        background.ready(kExitOk);
    }
    std::optional<FdKeeper> fd_keeper;
    if (fd_limit > 0) fd_keeper.emplace(*fs, fuse_session_fd(session->get()), fd_limit);
    // 0 once unmounted, the (positive) signal number after SIGTERM or SIGINT, or -errno.
    const int rc = session->loop(config.fs.max_threads, config.fs.clone_fd);
    fd_keeper.reset();
    // Backing ids still leased by open files are closed while the session's fd is still open.
    fs->set_opener(std::make_unique<fusell::FileOpener>());
    if (rc < 0) {
        spdlog::error("request loop ended with an error: {}", std::strerror(-rc));
        return kExitMount;
    }
    if (staged && staged->attach_failed()) return kExitMount;
    if (rc > 0) spdlog::info("{}", strsignal(rc));
    // The SIGHUP thread stops, then the session unmounts, as the scopes close. libfuse knows
    // no mount point of a staged mount: that one is detached here.
    spdlog::info("unmounting {}", config.mountpoint);
    if (staged && rc > 0) staged->detach(config.mountpoint);
    return kExitOk;
}

// -o backend=auto|kernel: the idmapped mount where it means the same as the map. Returns the exit
// code when the kernel backend settled the matter (mounted, or refused under backend=kernel),
// nullopt to go on with FUSE. Either way, one line says which backend and why.
std::optional<int> mount_kernel_backend(const Config& config, const idmap::IdMap& map) {
    if (config.backend == Backend::fuse) {
        spdlog::info("backend: fuse (-o backend=fuse)");
        return std::nullopt;
    }
    const KernelAttempt attempt = try_kernel_backend(config, map);
    if (attempt.mounted) {
        spdlog::info("backend: kernel ({}); {} mounted on {} as an idmapped mount, no daemon",
                     attempt.reason, config.source, config.mountpoint);
        return kExitOk;
    }
    if (config.backend == Backend::kernel) {
        spdlog::error("backend: kernel refused, not mounted: {}", attempt.reason);
        return kExitMount;
    }
    spdlog::info("backend: fuse ({})", attempt.reason);
    return std::nullopt;
}

}  // namespace

int run_mount(int argc, char** argv) {
    CommandLine line;
    try {
        line = parse_command_line({argv + 1, static_cast<std::size_t>(argc > 0 ? argc - 1 : 0)});
    } catch (const UsageError& e) {
        std::fprintf(stderr, "idshift: %s\nTry 'idshift --help'.\n", e.what());
        return kExitUsage;
    }
    if (line.action == CommandLine::Action::help) {
        std::fputs(help_text().c_str(), stdout);
        return kExitOk;
    }
    if (line.action == CommandLine::Action::version) {
        std::fputs(version_text().c_str(), stdout);
        return kExitOk;
    }
    Config& config = line.config;
    init_logging(config.log_level);

    idmap::MapLoad loaded = load_map(config);
    if (!loaded.ok()) {
        for (const auto& error : loaded.errors) {
            std::fprintf(stderr, "%s\n", error.to_string().c_str());
        }
        return kExitUsage;
    }
    try {
        if (const std::optional<int> done = mount_kernel_backend(config, *loaded.map)) return *done;
    } catch (const std::exception& e) {
        spdlog::error("{}", e.what());
        return kExitMount;
    }
    idmap::MapHolder maps(std::move(*loaded.map));
    try {
        return serve(config, maps);
    } catch (const std::exception& e) {
        spdlog::error("{}", e.what());
        return kExitMount;
    }
}

}  // namespace idshift::daemon

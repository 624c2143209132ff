// `idshift oci-hook`: an OCI runtime hook for the createRuntime stage. For each container path
// the annotation io.idshift.volumes names, it mounts idshift over the volume's bind mount with
// the map built from the container's own image (see README, "Maps from the image").
//
// Mechanics: the daemon mounts in the host's mount namespace on a staging directory below a
// private mount (so nothing propagates), the hook clones that mount as a detached tree
// (open_tree), unmounts the staging directory, and a child that joined the container's mount
// namespace attaches the tree where the container will see the volume. From then on the
// container's namespace holds the only mount of the filesystem: when that namespace goes, the
// kernel ends the FUSE connection and the daemon exits. No process of ours stays in, or holds a
// file of, the container's namespace.
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "idshift/idmap/name_resolver.hpp"
#include "idshift/oci/hook_input.hpp"
#include "idshift/oci/hook_settings.hpp"
#include "idshift/oci/image_map.hpp"
#include "idshift/oci/mount_transfer.hpp"
#include "subcommands.hpp"

namespace idshift::daemon {
namespace {

constexpr std::string_view kUsage =
    "usage: idshift oci-hook [--config FILE]\n"
    "\n"
    "An OCI runtime hook for the createRuntime stage (installed through a hooks.d JSON file).\n"
    "Reads the container state on stdin. For each path in the annotation io.idshift.volumes\n"
    "(e.g. /data,/other) it mounts idshift over that bind mount, with the map built from the\n"
    "container image's /etc/passwd and /etc/group joined by name with the storage's (see\n"
    "idshift map --from-image). Defaults come from FILE (default\n"
    "/etc/idshift/oci-hook.conf). The annotations io.idshift.storage-passwd, .storage-group,\n"
    ".unmapped-read, .unmapped-write and .mount-options override them only where FILE's\n"
    "'annotations' line allows it: storage files by name within FILE's storage-dir, and\n"
    "mount options that tune caching or give up rights, added to FILE's.\n"
    "\n"
    "Exit status: 0 done (or nothing to do); 1 a volume could not be mounted; 2 bad usage.\n";

std::optional<std::string> read_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) return std::nullopt;
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// A value inside -o: commas and backslashes escaped as the option parser expects.
std::string escape_option(const std::string& value) {
    std::string out;
    for (char c : value) {
        if (c == ',' || c == '\\') out.push_back('\\');
        out.push_back(c);
    }
    return out;
}

// crun and runc do not show a hook's stderr to the user (crun keeps it only with the annotation
// run.oci.hooks.stderr=FILE), so every message also goes to the system log.
void report(const std::string& message) {
    std::fprintf(stderr, "idshift oci-hook: %s\n", message.c_str());
    ::openlog("idshift-oci-hook", LOG_PID, LOG_DAEMON);
    ::syslog(LOG_ERR, "%s", message.c_str());
    ::closelog();
}

std::string errno_text(int err) {
    return std::strerror(err);
}

// Runs `idshift SOURCE STAGING -o OPTIONS` (no -f): it returns once the mount is in place and the
// daemon has detached. The daemon gets no descriptor of ours but stderr, where its start-up
// errors belong.
int start_daemon(const std::string& source, const std::string& staging, const std::string& options,
                 std::string& error) {
    std::error_code ec;
    const std::string exe = std::filesystem::read_symlink("/proc/self/exe", ec).string();
    if (ec) {
        error = "cannot find the idshift binary: " + ec.message();
        return 1;
    }
    const pid_t child = ::fork();
    if (child < 0) {
        error = "fork: " + errno_text(errno);
        return 1;
    }
    if (child == 0) {
        const int null = ::open("/dev/null", O_RDONLY);
        if (null >= 0) ::dup2(null, STDIN_FILENO);
        ::dup2(STDERR_FILENO, STDOUT_FILENO);
        ::close_range(3, ~0U, 0);
        const char* argv[] = {"idshift", source.c_str(),  staging.c_str(),
                              "-o",      options.c_str(), nullptr};
        ::execv(exe.c_str(), const_cast<char* const*>(argv));
        ::_exit(127);
    }
    int status = 0;
    while (::waitpid(child, &status, 0) < 0) {
        if (errno != EINTR) {
            error = "waitpid: " + errno_text(errno);
            return 1;
        }
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        error = "the idshift daemon did not mount (exit status " +
                std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status)) +
                ")";
        return 1;
    }
    return 0;
}

class Hook {
  public:
    Hook(oci::ContainerState state, oci::BundleConfig config, oci::HookSettings settings)
        : state_(std::move(state)), config_(std::move(config)), settings_(std::move(settings)) {}

    int run() {
        oci::ImageMapRequest request{config_.root_path, settings_.storage_passwd,
                                     settings_.storage_group, settings_.unmapped_read,
                                     settings_.unmapped_write};
        const oci::ImageMap map = oci::build_image_map(request, idmap::NssResolver{});
        if (!map.text) {
            for (const std::string& volume : settings_.volumes) {
                for (const std::string& error : map.errors)
                    fail(volume, error);
            }
            return 1;
        }
        if (const int err = oci::make_private_dir(settings_.runtime_dir); err != 0) {
            fail(settings_.volumes.front(),
                 "cannot prepare " + settings_.runtime_dir + ": " + errno_text(err));
            return 1;
        }
        dir_ = settings_.runtime_dir + "/" + state_.id;
        if (::mkdir(dir_.c_str(), 0700) != 0 && errno != EEXIST) {
            fail(settings_.volumes.front(), "cannot create " + dir_ + ": " + errno_text(errno));
            return 1;
        }
        int status = 0;
        for (std::size_t i = 0; i < settings_.volumes.size() && status == 0; ++i)
            status = mount_volume(i, *map.text);
        ::rmdir(dir_.c_str());
        return status;
    }

  private:
    void fail(const std::string& volume, const std::string& message) const {
        report("container " + state_.id + ": volume " + volume + ": " + message);
    }

    const oci::BundleMount* find_mount(const std::string& volume) const {
        const oci::BundleMount* found = nullptr;
        for (const oci::BundleMount& mount : config_.mounts) {
            // The last mount on a path is the one the container sees.
            if (std::filesystem::path(mount.destination).lexically_normal() ==
                std::filesystem::path(volume).lexically_normal())
                found = &mount;
        }
        return found;
    }

    int mount_volume(std::size_t index, const std::string& map_text) {
        const std::string& volume = settings_.volumes[index];
        const oci::BundleMount* mount = find_mount(volume);
        if (!mount || !mount->is_bind()) {
            fail(volume, "the container has no bind mount there (give it one with -v SOURCE:" +
                             volume + ")");
            return 1;
        }
        const std::string base = dir_ + "/" + std::to_string(index);
        const std::string map_file = base + ".map";
        const std::string staging = base + ".mnt";
        {
            std::ofstream out(map_file, std::ios::trunc);
            out << map_text;
            if (!out.flush()) {
                fail(volume, "cannot write " + map_file);
                return 1;
            }
        }
        ::mkdir(staging.c_str(), 0700);
        std::string options = "map=" + escape_option(map_file) +
                              ",fsname=" + escape_option(mount->source) + ",stats_socket=none" +
                              // The hook hands the container a FUSE mount whose daemon ends with
                              // the container's mount namespace; the kernel backend has no daemon
                              // to end and is not wired in here yet.
                              ",backend=fuse";
        if (!settings_.mount_options.empty()) options += "," + settings_.mount_options;
        std::string error;
        int status = start_daemon(mount->source, staging, options, error);
        ::unlink(map_file.c_str());  // read at start; the daemon keeps the map in memory
        if (status == 0) {
            const sys::UniqueFd tree = oci::clone_mount(staging);
            const int clone_err = tree ? 0 : errno;
            // From here the clone alone keeps the filesystem; if attaching fails, closing it
            // ends the daemon.
            ::umount2(staging.c_str(), MNT_DETACH);
            if (!tree) {
                error = "cannot clone the staging mount: " + errno_text(clone_err);
                status = 1;
            } else if (const int err =
                           oci::attach_in_namespace(tree, state_.pid, config_.root_path + volume);
                       err != 0) {
                error = "cannot mount in the container's namespace: " + errno_text(err);
                status = 1;
            }
        }
        ::rmdir(staging.c_str());
        if (status != 0) fail(volume, error);
        return status;
    }

    oci::ContainerState state_;
    oci::BundleConfig config_;
    oci::HookSettings settings_;
    std::string dir_;
};

}  // namespace

int run_oci_hook(std::span<char* const> args) {
    std::string config_file = oci::kDefaultHookConfig;
    bool explicit_config = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view arg = args[i];
        if (arg == "-h" || arg == "--help") {
            std::fwrite(kUsage.data(), 1, kUsage.size(), stdout);
            return 0;
        }
        if (arg == "--config" && i + 1 < args.size()) {
            config_file = args[++i];
            explicit_config = true;
            continue;
        }
        std::fprintf(stderr, "idshift oci-hook: unknown argument '%s'\n", args[i]);
        return 2;
    }
    try {
        const std::string input(std::istreambuf_iterator<char>(std::cin), {});
        const oci::ContainerState state = oci::parse_state(input);
        std::vector<std::string> errors;
        oci::HookSettings defaults;
        if (const auto text = read_file(config_file)) {
            defaults = oci::parse_hook_config(*text, config_file, errors);
        } else if (explicit_config || errno != ENOENT) {
            errors.push_back(config_file + ": cannot read: " + errno_text(errno));
        }
        oci::HookSettings settings = oci::apply_annotations(defaults, state.annotations, errors);
        for (const std::string& error : errors)
            report("container " + state.id + ": " + error);
        if (!errors.empty()) return 1;
        if (settings.volumes.empty()) return 0;
        const std::string config_path = state.bundle + "/config.json";
        const auto config_text = read_file(config_path);
        if (!config_text) {
            report("container " + state.id + ": cannot read " + config_path + ": " +
                   errno_text(errno));
            return 1;
        }
        Hook hook(state, oci::parse_bundle_config(*config_text, state.bundle), std::move(settings));
        return hook.run();
    } catch (const oci::HookError& e) {
        report(e.what());
        return 1;
    }
}

}  // namespace idshift::daemon

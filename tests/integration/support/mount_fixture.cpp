#include "support/mount_fixture.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include "support/child.hpp"
#include "support/daemon_log.hpp"
#include "support/files.hpp"
#include "support/mountinfo.hpp"
#include "support/unique_fd.hpp"

namespace idshift::itest {

namespace {

// Bounds on waits for the daemon. They only turn a hang into a failure with the daemon's log;
// nothing asserts how fast anything is. Generous because sanitizer builds start slowly.
constexpr int kMountBoundMs = 20'000;
constexpr int kExitBoundMs = 10'000;
constexpr int kPollMs = 5;
constexpr std::string_view kFsType = "fuse.idshift";

std::string daemon_binary() {
    const char* binary = std::getenv("IDSHIFT_BIN");
    if (binary == nullptr || *binary == '\0')
        throw std::runtime_error("IDSHIFT_BIN is not set (ctest sets it to the built daemon)");
    return binary;
}

// Makes the mount point and writes the map file inside `work`; returns the map path ("" if the
// options carry no map text).
std::string prepare_workspace(const TempDir& work, const MountOptions& options) {
    const std::string mount_point = work.at("mnt");
    if (::mkdir(mount_point.c_str(), 0755) != 0 || ::chmod(mount_point.c_str(), 0755) != 0)
        throw std::system_error(errno, std::generic_category(), "mkdir " + mount_point);
    if (options.map.empty()) return {};
    const std::string map_path = work.at("map");
    write_file(map_path, options.map);
    return map_path;
}

// The backend= value the options give, or test_backend().
std::string backend_of(const MountOptions& options) {
    std::string backend = test_backend();
    for (const std::string& option : options.options) {
        if (option.starts_with("backend=")) backend = option.substr(8);
    }
    return backend;
}

std::vector<std::string> daemon_argv(const std::string& source, const std::string& mount_point,
                                     const std::string& map_path, const MountOptions& options) {
    std::string joined = map_path.empty() ? "" : "map=" + map_path;
    bool pinned = false;
    for (const std::string& option : options.options) {
        if (!joined.empty()) joined += ',';
        joined += option;
        pinned = pinned || option.starts_with("backend=");
    }
    if (!pinned) joined += (joined.empty() ? "backend=" : ",backend=") + test_backend();
    std::vector<std::string> argv{daemon_binary(), source, mount_point, "-f"};
    if (!joined.empty()) {
        argv.push_back("-o");
        argv.push_back(joined);
    }
    return argv;
}

pid_t spawn_daemon(const std::vector<std::string>& argv, const std::string& log_path) {
    std::vector<char*> args;
    std::string command_line = "$";
    for (const std::string& arg : argv) {
        args.push_back(const_cast<char*>(arg.c_str()));
        command_line += " " + arg;
    }
    args.push_back(nullptr);
    command_line += "\n";
    const UniqueFd log(::open(log_path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC));
    const UniqueFd null(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    if (!log || !null) throw std::system_error(errno, std::generic_category(), "open " + log_path);
    if (::write(log.get(), command_line.data(), command_line.size()) < 0)
        throw std::system_error(errno, std::generic_category(), "write " + log_path);
    const pid_t parent = ::getpid();
    std::fflush(nullptr);
    const pid_t pid = ::fork();
    if (pid < 0) throw std::system_error(errno, std::generic_category(), "fork");
    if (pid == 0) {
        // If the test process dies (a ctest timeout), the daemon gets SIGTERM and unmounts.
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (::getppid() != parent) ::_exit(126);
        ::dup2(null.get(), STDIN_FILENO);
        ::dup2(log.get(), STDOUT_FILENO);
        ::dup2(log.get(), STDERR_FILENO);
        ::execv(args[0], args.data());
        std::fprintf(stderr, "cannot execute %s: %s\n", args[0], std::strerror(errno));
        ::_exit(127);
    }
    return pid;
}

std::optional<int> try_reap(pid_t pid) {
    int status = 0;
    pid_t done = -1;
    do {
        done = ::waitpid(pid, &status, WNOHANG);
    } while (done < 0 && errno == EINTR);
    if (done < 0) throw std::system_error(errno, std::generic_category(), "waitpid");
    if (done == 0) return std::nullopt;
    return status;
}

std::optional<int> wait_for_exit(pid_t pid, int bound_ms) {
    for (int waited = 0;; waited += kPollMs) {
        if (std::optional<int> status = try_reap(pid)) return status;
        if (waited >= bound_ms) return std::nullopt;
        ::usleep(kPollMs * 1000);
    }
}

bool is_idshift_mount(const std::string& mount_point) {
    return mount_type_at(mount_point) == kFsType;
}

// Detaches every idmapped mount stacked on `mount_point` (a kernel-backend mount, and what a
// reload may have stacked).
void detach_idmapped(const std::string& mount_point) {
    while (idmapped_mount_at(mount_point)) {
        if (::umount2(mount_point.c_str(), MNT_DETACH) != 0) return;
    }
}

}  // namespace

std::string test_backend() {
    const char* backend = std::getenv("IDSHIFT_TEST_BACKEND");
    return backend != nullptr && *backend != '\0' ? backend : "fuse";
}

bool kernel_backend() {
    return test_backend() == "kernel";
}

bool DaemonExit::clean() const noexcept {
    return exit_code() == 0;
}

int DaemonExit::exit_code() const noexcept {
    return WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1;
}

std::string DaemonExit::describe() const {
    if (WIFEXITED(wait_status)) return "exited with code " + std::to_string(exit_code());
    if (WIFSIGNALED(wait_status))
        return "was killed by signal " + std::to_string(WTERMSIG(wait_status));
    return "ended with wait status " + std::to_string(wait_status);
}

Mount::Mount(std::string source, MountOptions options)
    : source_(std::move(source)), work_("idshift-mnt-"), mount_point_(work_.at("mnt")) {
    map_path_ = prepare_workspace(work_, options);
    log_path_ = new_daemon_log("mount");
    kernel_ = backend_of(options) == "kernel";
    pid_ = spawn_daemon(daemon_argv(source_, mount_point_, map_path_, options), log_path_);
    if (kernel_) {
        const std::optional<int> status = wait_for_exit(pid_, kMountBoundMs);
        if (!status) {
            stop();
            throw std::runtime_error("idshift -o backend=kernel did not exit; its log:\n" + log());
        }
        exit_ = DaemonExit{*status};
        if (!exit_->clean() || !idmapped_mount_at(mount_point_)) {
            detach_idmapped(mount_point_);
            throw std::runtime_error("idshift -o backend=kernel " + exit_->describe() +
                                     " without an idmapped mount on " + mount_point_ +
                                     "; its log:\n" + log());
        }
        return;
    }
    for (int waited = 0;; waited += kPollMs) {
        if (is_idshift_mount(mount_point_)) return;
        if (std::optional<int> status = try_reap(pid_)) {
            exit_ = DaemonExit{*status};
            throw std::runtime_error("idshift " + exit_->describe() + " before mounting " +
                                     mount_point_ + "; its log:\n" + log());
        }
        if (waited >= kMountBoundMs) {
            const std::string seen = mount_type_at(mount_point_).value_or("nothing");
            stop();
            throw std::runtime_error(mount_point_ + " did not appear as " + std::string(kFsType) +
                                     " (found " + seen + "); daemon log:\n" + log());
        }
        ::usleep(kPollMs * 1000);
    }
}

Mount::~Mount() {
    const bool test_took_exit = exit_checked_by_test_;
    stop();
    if (!test_took_exit && exit_ && !exit_->clean() && std::uncaught_exceptions() == 0)
        FAIL_CHECK("the idshift daemon of " << mount_point_ << " " << exit_->describe());
}

std::string Mount::at(std::string_view relative) const {
    if (relative.empty()) return mount_point_;
    return mount_point_ + "/" + std::string(relative);
}

void Mount::replace_map(std::string_view text) const {
    const std::string next = map_path_ + ".next";
    write_file(next, text);
    if (::rename(next.c_str(), map_path_.c_str()) != 0)
        throw std::system_error(errno, std::generic_category(), "rename " + next);
}

void Mount::signal(int signal_number) const {
    if (!exit_ && ::kill(pid_, signal_number) != 0)
        throw std::system_error(errno, std::generic_category(), "kill");
}

std::string Mount::log() const {
    return read_file(log_path_);
}

bool Mount::mounted() const {
    return kernel_ ? idmapped_mount_at(mount_point_) : is_idshift_mount(mount_point_);
}

void Mount::unmount(bool lazy) const {
    if (kernel_) {
        if (::umount2(mount_point_.c_str(), lazy ? MNT_DETACH : 0) != 0)
            throw std::system_error(errno, std::generic_category(), "umount " + mount_point_);
        return;
    }
    std::vector<std::string> argv{"fusermount3", "-u"};
    if (lazy) argv.push_back("-z");
    argv.push_back(mount_point_);
    std::string output;
    if (run_program(argv, &output) != 0)
        throw std::runtime_error("fusermount3 -u " + mount_point_ + " failed: " + output);
}

DaemonExit Mount::wait_daemon() {
    exit_checked_by_test_ = true;
    if (exit_) return *exit_;
    const std::optional<int> status = wait_for_exit(pid_, kExitBoundMs);
    if (!status) throw std::runtime_error("the idshift daemon is still running; log:\n" + log());
    exit_ = DaemonExit{*status};
    return *exit_;
}

bool Mount::daemon_running() {
    if (exit_) return false;
    if (std::optional<int> status = try_reap(pid_)) exit_ = DaemonExit{*status};
    return !exit_;
}

void Mount::stop() noexcept {
    if (kernel_) {
        detach_idmapped(mount_point_);
        return;
    }
    try {
        // Escalate: a normal unmount, then SIGTERM, then SIGKILL; wait for the daemon after each.
        // A mount still busy (a test failed with a file open) goes straight to SIGTERM.
        bool unmounted = !mounted();
        if (!exit_ && !unmounted) {
            std::string ignored;
            unmounted = run_program({"fusermount3", "-u", mount_point_}, &ignored) == 0;
        }
        if (!exit_ && unmounted) {
            if (std::optional<int> status = wait_for_exit(pid_, kExitBoundMs))
                exit_ = DaemonExit{*status};
        }
        if (!exit_) {
            ::kill(pid_, SIGTERM);
            if (std::optional<int> status = wait_for_exit(pid_, kExitBoundMs))
                exit_ = DaemonExit{*status};
        }
        if (!exit_) {
            ::kill(pid_, SIGKILL);
            int status = 0;
            while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
            }
            exit_ = DaemonExit{status};
        }
    } catch (const std::exception& error) {
        std::fprintf(stderr, "itest: stopping the daemon of %s: %s\n", mount_point_.c_str(),
                     error.what());
    }
    // A daemon that died leaves a dead mount ("transport endpoint is not connected").
    if (mount_type_at(mount_point_)) ::umount2(mount_point_.c_str(), MNT_DETACH);
}

Volume::Volume(MountOptions options)
    : backing_("idshift-src-"), mount_(backing_.path(), std::move(options)) {}

RefusedStart run_daemon_expecting_refusal(const std::string& source, const MountOptions& options) {
    const TempDir work("idshift-mnt-");
    const std::string mount_point = work.at("mnt");
    const std::string map_path = prepare_workspace(work, options);
    const std::string log_path = new_daemon_log("refused");
    const pid_t pid = spawn_daemon(daemon_argv(source, mount_point, map_path, options), log_path);
    RefusedStart result;
    for (int waited = 0;; waited += kPollMs) {
        if (std::optional<int> status = try_reap(pid)) {
            result.exit = DaemonExit{*status};
            break;
        }
        if (is_idshift_mount(mount_point)) {  // it should not have: take the mount down again
            result.mounted = true;
            std::string ignored;
            run_program({"fusermount3", "-u", mount_point}, &ignored);
        }
        if (waited >= kMountBoundMs) ::kill(pid, SIGKILL);
        ::usleep(kPollMs * 1000);
    }
    if (idmapped_mount_at(mount_point)) {  // the kernel backend mounted and exited 0
        result.mounted = true;
        detach_idmapped(mount_point);
    }
    if (mount_type_at(mount_point)) ::umount2(mount_point.c_str(), MNT_DETACH);
    result.log = read_file(log_path);
    return result;
}

}  // namespace idshift::itest

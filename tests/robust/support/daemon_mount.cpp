#include "daemon_mount.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <utility>

#include "caller.hpp"
#include "mountinfo.hpp"
#include "outcome.hpp"
#include "variant_check.hpp"

extern char** environ;

namespace idshift::robust {
namespace {

constexpr auto kPollStep = std::chrono::milliseconds(10);

void write_file_atomically(const std::filesystem::path& path, const std::string& text) {
    const std::filesystem::path temporary = path.string() + ".new";
    {
        std::ofstream out(temporary, std::ios::trunc);
        out << text;
        if (!out.flush()) throw std::runtime_error("cannot write " + temporary.string());
    }
    std::filesystem::rename(temporary, path);
}

std::vector<char*> c_strings(std::vector<std::string>& words) {
    std::vector<char*> pointers;
    for (std::string& word : words)
        pointers.push_back(word.data());
    pointers.push_back(nullptr);
    return pointers;
}

}  // namespace

DaemonMount::DaemonMount(const SuiteEnv& env, std::filesystem::path backing,
                         std::filesystem::path mountpoint, std::filesystem::path state_dir,
                         const IdTable& ids, MountOptions options)
    : env_(env),
      backing_(std::move(backing)),
      mountpoint_(std::move(mountpoint)),
      map_file_(state_dir / "map"),
      log_file_(state_dir / "daemon.log"),
      options_(std::move(options)),
      bindfs_map_(ids.bindfs_map_argument()) {
    write_file_atomically(map_file_, ids.map_file_text());
    if (env_.target != Target::native) start();
}

DaemonMount::~DaemonMount() {
    unmount();
}

const std::filesystem::path& DaemonMount::root() const {
    return env_.target == Target::native ? backing_ : mountpoint_;
}

std::vector<std::string> DaemonMount::command_line() const {
    if (env_.target == Target::bindfs) {
        std::vector<std::string> argv{env_.daemon.string(), "-f", "--multithreaded", "-o",
                                      options_.dev ? "allow_other,dev" : "allow_other"};
        if (!bindfs_map_.empty()) argv.push_back(bindfs_map_);
        argv.push_back(backing_.string());
        argv.push_back(mountpoint_.string());
        return argv;
    }
    const std::string cache = env_.variant == "nocache" ? "none" : options_.cache;
    std::string mount_options =
        "map=" + map_file_.string() + ",cache=" + cache + ",backend=" + env_.backend;
    if (env_.variant == "nopassthrough") mount_options += ",passthrough=off";
    if (options_.dev) mount_options += ",dev";
    return {env_.daemon.string(), backing_.string(), mountpoint_.string(), "-f", "-o",
            mount_options};
}

void DaemonMount::start() {
    std::vector<std::string> argv = command_line();
    std::vector<std::string> envp;
    for (char** entry = environ; *entry != nullptr; ++entry)
        envp.emplace_back(*entry);
    for (const std::string& extra : options_.extra_env)
        envp.push_back(extra);
    std::vector<char*> argv_pointers = c_strings(argv);
    std::vector<char*> envp_pointers = c_strings(envp);

    const int log_fd = ::open(log_file_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (log_fd < 0) throw std::runtime_error("open " + log_file_.string());
    pid_ = ::fork();
    if (pid_ == 0) {
        // If the suite dies without unmounting (an abort, a sanitizer report), the daemon gets
        // SIGTERM and unmounts instead of leaving a mount behind.
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);
        const int null_fd = ::open("/dev/null", O_RDONLY);
        ::dup2(null_fd, STDIN_FILENO);
        ::dup2(log_fd, STDOUT_FILENO);
        ::dup2(log_fd, STDERR_FILENO);
        ::execvpe(argv_pointers[0], argv_pointers.data(), envp_pointers.data());
        ::_exit(127);
    }
    ::close(log_fd);
    if (pid_ < 0) throw std::runtime_error("fork: " + errno_name(errno));
    wait_until_mounted();
    if (env_.target != Target::idshift) return;
    try {
        verify_variant(env_.variant, backing_, mountpoint_, [this] { return log_text(); });
    } catch (...) {
        // The constructor fails, so no destructor will unmount: do it here.
        killed_ = true;  // the log was printed with the error already
        unmount();
        throw;
    }
}

void DaemonMount::wait_until_mounted() {
    if (env_.kernel_backend()) {
        // No daemon: idshift exits once the idmapped mount is attached, and must exit 0.
        if (!wait_for_exit(20) || exit_status_ != 0 || !is_mount_point(mountpoint_)) {
            throw std::runtime_error("idshift -o backend=kernel exited with status " +
                                     std::to_string(exit_status_) + " without mounting " +
                                     mountpoint_.string() + "; its log:\n" + log_text());
        }
        return;
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
        if (!daemon_running()) {
            throw std::runtime_error("the daemon exited (status " + std::to_string(exit_status_) +
                                     ") before mounting; its log:\n" + log_text());
        }
        struct stat st {};
        if (is_mount_point(mountpoint_) && ::stat(mountpoint_.c_str(), &st) == 0) return;
        std::this_thread::sleep_for(kPollStep);
    }
    kill_daemon();
    throw std::runtime_error("no mount at " + mountpoint_.string() + " after 20 s; log:\n" +
                             log_text());
}

bool DaemonMount::daemon_running() {
    if (pid_ <= 0 || exit_status_ >= 0) return false;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        exit_status_ = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
        return false;
    }
    return true;
}

bool DaemonMount::wait_for_exit(int seconds) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (daemon_running()) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(kPollStep);
    }
    return true;
}

void DaemonMount::kill_daemon() {
    if (!daemon_running()) return;
    killed_ = true;
    ::kill(pid_, SIGKILL);
    wait_for_exit(30);
}

void DaemonMount::reload(const std::string& map_text) {
    write_file_atomically(map_file_, map_text);
    if (daemon_running()) ::kill(pid_, SIGHUP);
}

std::string DaemonMount::log_text() const {
    std::ifstream in(log_file_);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string DaemonMount::log_tail(std::size_t lines) const {
    const std::string text = log_text();
    // A sanitizer report is worth more than the lines after it: start there.
    const std::size_t report = text.find("==ERROR: ");
    if (report != std::string::npos) return text.substr(text.rfind('\n', report) + 1, 8000);
    std::size_t start = text.size();
    for (std::size_t found = 0; start > 0 && found <= lines; --start) {
        if (text[start - 1] == '\n') ++found;
    }
    return text.substr(start);
}

bool DaemonMount::unmount() {
    if (env_.target == Target::native) return true;
    if (!unmounted_) unmounted_ = unmount_once();
    return *unmounted_;
}

bool DaemonMount::unmount_once() {
    if (env_.kernel_backend()) {
        // Detached, as the FUSE daemon's own unmount at SIGTERM is: a suite may still hold a
        // directory of the mount open. One umount must be enough (nothing else is stacked).
        if (!is_mount_point(mountpoint_)) return exit_status_ == 0;
        const bool clean = ::umount2(mountpoint_.c_str(), MNT_DETACH) == 0;
        if (!clean)
            std::fprintf(stderr, "umount -l %s: %s\n", mountpoint_.c_str(),
                         errno_name(errno).c_str());
        while (is_mount_point(mountpoint_) && ::umount2(mountpoint_.c_str(), MNT_DETACH) == 0) {
        }
        return clean && exit_status_ == 0 && !is_mount_point(mountpoint_);
    }
    bool clean = true;
    const bool died_before = pid_ > 0 && !daemon_running() && !killed_;
    if (died_before) {
        std::fprintf(stderr, "the daemon exited by itself (status %d); the end of its log:\n%s\n",
                     exit_status_, log_tail(60).c_str());
        clean = false;
    } else if (daemon_running()) {
        ::kill(pid_, SIGTERM);
        if (!wait_for_exit(10)) {
            clean = false;
            kill_daemon();
        }
    }
    clean = clean && exit_status_ == 0;
    if (!clean && !died_before && !killed_) {
        std::fprintf(stderr, "the daemon did not unmount cleanly (status %d); its log ends:\n%s\n",
                     exit_status_, log_tail(30).c_str());
    }
    if (is_mount_point(mountpoint_)) {
        clean = false;
        run_command({"fusermount3", "-u", "-z", mountpoint_.string()});
    }
    return clean;
}

bool DaemonMount::fusermount_unmount() {
    const int status = run_command({"fusermount3", "-u", mountpoint_.string()}, log_file_);
    return status == 0 && !is_mount_point(mountpoint_);
}

}  // namespace idshift::robust

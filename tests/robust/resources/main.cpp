// resources: a million lookups and forgets (stat of --files distinct files, --rounds times, with
// the kernel's dentry and inode caches dropped after each round so every node is forgotten) and
// --opens open/close pairs must leave the daemon's resident memory flat and its descriptor count
// bounded. The baseline is the RSS after the first round's forgets (steady state: the allocator
// keeps what it reuses); the final RSS after the last round may exceed it by --rss-slack-mib at
// most, and /proc/PID/fd may never hold more than --fd-cap entries (RLIMIT_NOFILE is 20000).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>

#include "args.hpp"
#include "daemon_mount.hpp"
#include "idshift/sys/unique_fd.hpp"
#include "outcome.hpp"
#include "process_usage.hpp"
#include "suite_env.hpp"
#include "summary.hpp"
#include "temp_dir.hpp"

namespace idshift::robust {
namespace {

constexpr std::uint64_t kFilesPerDir = 1000;

std::string file_path(std::uint64_t index) {
    char name[32];
    std::snprintf(name, sizeof name, "d%04llu/f%04llu",
                  static_cast<unsigned long long>(index / kFilesPerDir),
                  static_cast<unsigned long long>(index % kFilesPerDir));
    return name;
}

// Directly on the backing directory: fast, and no lookups through the mount yet.
void create_files(const std::filesystem::path& backing, std::uint64_t count) {
    for (std::uint64_t index = 0; index < count; ++index) {
        const std::filesystem::path path = backing / file_path(index);
        if (index % kFilesPerDir == 0) std::filesystem::create_directory(path.parent_path());
        const sys::UniqueFd fd(::open(path.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
        if (!fd) throw std::runtime_error("create " + path.string() + ": " + errno_name(errno));
    }
}

// Drops every unused dentry and inode, so the kernel forgets the mount's nodes. Without it no
// forget would reach the daemon and "memory came back" would prove nothing: fail instead.
void drop_caches() {
    std::ofstream out("/proc/sys/vm/drop_caches");
    out << "2\n";
    out.flush();
    if (!out) throw std::runtime_error("cannot write 2 to /proc/sys/vm/drop_caches");
}

// The daemon handles the forgets after drop_caches returns; wait until RSS stops falling.
std::int64_t settled_rss(pid_t pid) {
    std::int64_t last = read_usage(pid).rss_kib;
    for (int i = 0; i < 40; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
        const std::int64_t now = read_usage(pid).rss_kib;
        if (now >= last) return now;
        last = now;
    }
    return last;
}

int run(const Args& args) {
    const SuiteEnv env = require_environment("resources", args, false, true);
    const std::uint64_t files = args.number("files", 100000);
    const std::uint64_t rounds = args.number("rounds", 10);
    const std::uint64_t opens = args.number("opens", 100000);
    const auto fd_cap = static_cast<std::int64_t>(args.number("fd-cap", 8192));
    const auto slack_kib = static_cast<std::int64_t>(args.number("rss-slack-mib", 32)) * 1024;

    const TempDir temp("resources");
    const std::filesystem::path backing = temp.make_dir("backing");
    create_files(backing, files);
    MountOptions options;
    // An ASan build of the daemon would otherwise hold up to 256 MiB of freed memory in
    // quarantine, which is not growth; a plain build ignores the variable.
    options.extra_env.push_back(
        "ASAN_OPTIONS=" +
        std::string(std::getenv("ASAN_OPTIONS") ? std::getenv("ASAN_OPTIONS") : "") +
        ":quarantine_size_mb=4");
    DaemonMount mount(env, backing, temp.make_dir("mnt"), temp.make_dir("state", 0700),
                      IdTable::standard(), options);
    const pid_t pid = mount.pid();
    Summary summary("resources");
    summary.set("target", std::string(target_name(env.target)));
    summary.set("rss_start_kib", read_usage(pid).rss_kib);

    std::uint64_t failed_calls = 0;
    std::int64_t baseline = 0;
    std::int64_t final_rss = 0;
    {
        const UsageSampler sampler(pid);
        for (std::uint64_t round = 1; round <= rounds; ++round) {
            for (std::uint64_t index = 0; index < files; ++index) {
                struct stat st {};
                const std::filesystem::path path = mount.root() / file_path(index);
                failed_calls += ::lstat(path.c_str(), &st) != 0 || st.st_uid != 0 ? 1 : 0;
            }
            drop_caches();
            final_rss = settled_rss(pid);
            if (round == 1) baseline = final_rss;
            std::printf(
                "resources: round %llu: %llu lookups, RSS %lld KiB after forgets, fds %lld\n",
                static_cast<unsigned long long>(round), static_cast<unsigned long long>(files),
                static_cast<long long>(final_rss), static_cast<long long>(read_usage(pid).fds));
            std::fflush(stdout);
        }
        for (std::uint64_t i = 0; i < opens; ++i) {
            const std::filesystem::path path = mount.root() / file_path(i % files);
            const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
            failed_calls += fd < 0 ? 1 : 0;
            if (fd >= 0) ::close(fd);
        }
        drop_caches();
        final_rss = settled_rss(pid);
        summary.set("peak_rss_kib", sampler.peak_rss_kib());
        summary.set("peak_fds", sampler.peak_fds());
    }
    const Usage end = read_usage(pid);
    summary.set("lookups", static_cast<std::int64_t>(files * rounds));
    summary.set("opens", static_cast<std::int64_t>(opens));
    summary.set("failed_calls", static_cast<std::int64_t>(failed_calls));
    summary.set("rss_baseline_kib", baseline);
    summary.set("rss_final_kib", final_rss);
    summary.set("fds_final", end.fds);
    const bool rss_flat = final_rss <= baseline + slack_kib;
    const bool fds_bounded = summary.get("peak_fds") <= fd_cap && end.fds <= fd_cap;
    if (!rss_flat) {
        std::printf("FAIL RSS grew from %lld to %lld KiB (allowed: +%lld)\n",
                    static_cast<long long>(baseline), static_cast<long long>(final_rss),
                    static_cast<long long>(slack_kib));
    }
    if (!fds_bounded)
        std::printf("FAIL the daemon held more than %lld fds\n", static_cast<long long>(fd_cap));
    const bool clean = mount.unmount();
    summary.set("clean_unmount", clean ? 1 : 0);
    return summary.finish(!rss_flat || !fds_bounded || failed_calls != 0 || !clean);
}

}  // namespace
}  // namespace idshift::robust

int main(int argc, char** argv) {
    const idshift::robust::Args args(
        argc, argv, {"target", "files", "rounds", "opens", "fd-cap", "rss-slack-mib"});
    return idshift::robust::guarded_main("resources", [&] { return idshift::robust::run(args); });
}

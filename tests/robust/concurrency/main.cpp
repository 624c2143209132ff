// concurrency: several processes (root and a mapped user, alternately) of several threads each
// run overlapping metadata and data operations through one mount for a bounded time. A watchdog
// fails the suite if they do not finish (a deadlock), the daemon must still be alive and
// answering afterwards, no operation may fail with an errno that overlapping work cannot explain,
// and finally every entry of the backing directory must read the same through the mount, with
// owners translated.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <random>
#include <thread>
#include <vector>

#include "args.hpp"
#include "daemon_mount.hpp"
#include "shared_array.hpp"
#include "suite_env.hpp"
#include "summary.hpp"
#include "temp_dir.hpp"
#include "tree_snapshot.hpp"
#include "workload.hpp"

namespace idshift::robust {
namespace {

using Clock = std::chrono::steady_clock;

struct Totals {
    std::uint64_t ops = 0;
    std::uint64_t expected_errors = 0;
    std::uint64_t unexpected_errors = 0;
};

Totals add_up(SharedArray<ThreadSlot>& slots, std::size_t count) {
    Totals totals;
    for (std::size_t i = 0; i < count; ++i) {
        totals.ops += slots[i].ops;
        totals.expected_errors += slots[i].expected_errors;
        totals.unexpected_errors += slots[i].unexpected_errors;
    }
    return totals;
}

void report_hang(SharedArray<ThreadSlot>& slots, int processes, int threads) {
    for (int p = 0; p < processes; ++p) {
        for (int t = 0; t < threads; ++t) {
            const ThreadSlot& slot = slots[static_cast<std::size_t>(p * threads + t)];
            if (!slot.finished) {
                std::printf("HANG process %d thread %d stuck in %s after %llu ops\n", p, t,
                            op_name(slot.current_op), static_cast<unsigned long long>(slot.ops));
            }
        }
    }
}

int run(const Args& args) {
    const SuiteEnv env = require_environment("concurrency", args, false, true);
    const auto seconds = static_cast<int>(args.number("seconds", 20));
    const auto processes = static_cast<int>(args.number("processes", 2));
    const auto threads = static_cast<int>(args.number("threads", 8));
    const std::uint64_t seed = args.number("seed", std::random_device{}());
    std::printf("concurrency: seed=%llu processes=%d threads=%d seconds=%d\n",
                static_cast<unsigned long long>(seed), processes, threads, seconds);
    std::fflush(stdout);

    const IdTable ids = IdTable::standard();
    const TempDir temp("concurrency");
    DaemonMount mount(env, temp.make_dir("backing"), temp.make_dir("mnt"),
                      temp.make_dir("state", 0700), ids);
    const std::filesystem::path arena = mount.root() / "arena";
    if (::mkdir(arena.c_str(), 0777) != 0 || ::chmod(arena.c_str(), 0777) != 0) {
        throw std::runtime_error("cannot create " + arena.string());
    }

    SharedArray<ThreadSlot> slots(static_cast<std::size_t>(processes * threads));
    const auto deadline = Clock::now() + std::chrono::seconds(seconds);
    std::vector<pid_t> workers;
    for (int p = 0; p < processes; ++p) {
        const WorkloadSpec spec{arena, p % 2 == 0 ? &kRoot : &kAlice, threads,
                                seed + static_cast<std::uint64_t>(p) * 1000, deadline};
        const pid_t pid = ::fork();
        if (pid == 0) run_worker_process(spec, &slots[static_cast<std::size_t>(p * threads)]);
        workers.push_back(pid);
    }
    // Generous: each thread finishes its current call after the deadline; a minute more is a hang.
    const bool finished = wait_for_children(workers, deadline + std::chrono::seconds(60));
    Summary summary("concurrency");
    summary.set("target", std::string(target_name(env.target)));
    summary.set("processes", processes);
    summary.set("threads", processes * threads);
    summary.set("seconds", seconds);
    if (!finished) {
        report_hang(slots, processes, threads);
        mount.kill_daemon();  // unblocks the stuck calls with ENOTCONN
        for (const pid_t pid : workers)
            ::kill(pid, SIGKILL);
        wait_for_children(workers, Clock::now() + std::chrono::seconds(10));
    }
    const Totals totals = add_up(slots, static_cast<std::size_t>(processes * threads));
    summary.set("ops", static_cast<std::int64_t>(totals.ops));
    summary.set("expected_errors", static_cast<std::int64_t>(totals.expected_errors));
    summary.set("unexpected_errors", static_cast<std::int64_t>(totals.unexpected_errors));
    summary.set("deadlocks", finished ? 0 : 1);
    const bool alive = mount.daemon_running();
    summary.set("daemon_alive", alive ? 1 : 0);

    std::size_t mismatches = 0;
    if (alive) {
        CompareSpec spec;
        spec.expected_name = "backing";
        spec.actual_name = std::string(target_name(env.target));
        spec.translate_owner = [&ids](Owner owner) { return ids.to_mount(owner); };
        const auto differences =
            diff_trees(capture_tree(mount.backing() / "arena"), capture_tree(arena), spec);
        for (const std::string& line : differences)
            std::printf("MISMATCH %s\n", line.c_str());
        mismatches = differences.size();
        const auto entries = capture_tree(arena).size();
        summary.set("final_entries", static_cast<std::int64_t>(entries));
    }
    summary.set("mismatches", static_cast<std::int64_t>(mismatches));
    const bool clean = mount.unmount();
    summary.set("clean_unmount", clean ? 1 : 0);
    return summary.finish(!finished || !alive || totals.unexpected_errors != 0 || mismatches != 0 ||
                          !clean);
}

}  // namespace
}  // namespace idshift::robust

int main(int argc, char** argv) {
    const idshift::robust::Args args(argc, argv,
                                     {"target", "seconds", "processes", "threads", "seed"});
    return idshift::robust::guarded_main("concurrency", [&] { return idshift::robust::run(args); });
}

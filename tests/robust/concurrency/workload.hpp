#pragma once
// The concurrency suite's worker side: threads that hammer a small set of overlapping paths with
// metadata and data operations until a deadline, counting what they did in shared memory so the
// parent can watch progress and report a hang.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>

#include "caller.hpp"

namespace idshift::robust {

// One thread's counters, in a MAP_SHARED page the parent reads.
struct ThreadSlot {
    std::atomic<std::uint64_t> ops{0};
    std::atomic<std::uint64_t> expected_errors{0};
    std::atomic<std::uint64_t> unexpected_errors{0};
    std::atomic<int> current_op{-1};  // index into op_name(), -1 when between calls
    std::atomic<bool> finished{false};
};

const char* op_name(int op);

struct WorkloadSpec {
    std::filesystem::path arena;  // the directory on the mount the threads share
    const Caller* caller;
    int threads;
    std::uint64_t seed;
    std::chrono::steady_clock::time_point deadline;
};

// Runs in a forked child: switches to the caller, starts the threads, joins them, and exits.
[[noreturn]] void run_worker_process(const WorkloadSpec& spec, ThreadSlot* slots);

}  // namespace idshift::robust

#pragma once
// Background load for the reload suite: processes of a given caller whose threads create, write,
// read, stat, rename and delete their own files until told to stop. Every failed call counts:
// a map reload must never make one fail.
#include <atomic>
#include <cstdint>
#include <filesystem>

#include "caller.hpp"

namespace idshift::robust {

struct LoadCounters {
    std::atomic<bool> stop{false};
    std::atomic<std::uint64_t> ops{0};
    std::atomic<std::uint64_t> errors{0};
};

// Forks a process that runs `threads` threads as `caller` in `dir` until counters.stop.
pid_t start_load(const std::filesystem::path& dir, const Caller& caller, int threads,
                 LoadCounters& counters);

}  // namespace idshift::robust

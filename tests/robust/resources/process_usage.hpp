#pragma once
// A process's resident memory and open descriptors, read from /proc, and a sampler thread that
// keeps the peaks while a workload runs.
#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <thread>

namespace idshift::robust {

struct Usage {
    std::int64_t rss_kib = -1;  // VmRSS; -1 when the process is gone
    std::int64_t fds = -1;      // entries of /proc/PID/fd
};

Usage read_usage(pid_t pid);

class UsageSampler {
  public:
    // Samples every 50 ms until destroyed.
    explicit UsageSampler(pid_t pid);
    ~UsageSampler();
    UsageSampler(const UsageSampler&) = delete;
    UsageSampler& operator=(const UsageSampler&) = delete;

    std::int64_t peak_rss_kib() const { return peak_rss_kib_; }
    std::int64_t peak_fds() const { return peak_fds_; }

  private:
    pid_t pid_;
    std::atomic<bool> stop_{false};
    std::atomic<std::int64_t> peak_rss_kib_{0};
    std::atomic<std::int64_t> peak_fds_{0};
    std::thread thread_;
};

}  // namespace idshift::robust

#pragma once
// Lets an event through at most once per interval, so that a condition hit by every request (the
// process is out of fds, say) logs one line per interval instead of flooding the log.
#include <atomic>
#include <chrono>
#include <cstdint>

namespace idshift::fusell {

class RateLimiter {
  public:
    using Clock = std::chrono::steady_clock;

    explicit RateLimiter(Clock::duration interval) noexcept : interval_(interval.count()) {}

    // True for the first call and then for the first call at least `interval` after the last
    // call that returned true.
    bool allow(Clock::time_point now = Clock::now()) noexcept {
        const auto ticks = now.time_since_epoch().count();
        auto last = last_.load(std::memory_order_relaxed);
        if (last != kNever && ticks - last < interval_) return false;
        return last_.compare_exchange_strong(last, ticks, std::memory_order_relaxed);
    }

  private:
    static constexpr Clock::rep kNever = INT64_MIN;
    const Clock::rep interval_;
    std::atomic<Clock::rep> last_{kNever};
};

}  // namespace idshift::fusell

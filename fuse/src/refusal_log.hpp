#pragma once
// Rate limit for the log lines of refused operations: at most kLinesPerWindow lines a second.
// The lines held back are counted, and the count is handed out once for a summary line when its
// window is over (at the next refusal, or when someone asks).
#include <chrono>
#include <cstdint>
#include <mutex>

namespace idshift::fusell {

class RefusalLog {
  public:
    using Clock = std::chrono::steady_clock;
    static constexpr unsigned kLinesPerWindow = 10;
    static constexpr Clock::duration kWindow = std::chrono::seconds(1);

    struct Admission {
        bool write = false;            // write this refusal's line
        std::uint64_t suppressed = 0;  // lines held back in an earlier window: summarise them first
    };

    // One refusal at `now`.
    Admission admit(Clock::time_point now = Clock::now()) noexcept;
    // The lines held back in a window that is over by `now` (0 when none, or still open); each
    // held-back line is handed out once.
    std::uint64_t take_suppressed(Clock::time_point now = Clock::now()) noexcept;

  private:
    // Starts a new window at `now` if the current one is over; returns what the old one held back.
    std::uint64_t roll(Clock::time_point now) noexcept;

    std::mutex mutex_;  // refusals are rare: a plain lock, held for a few instructions
    bool started_ = false;
    Clock::time_point window_start_{};
    unsigned lines_ = 0;
    std::uint64_t suppressed_ = 0;
};

}  // namespace idshift::fusell

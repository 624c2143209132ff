#include "refusal_log.hpp"

namespace idshift::fusell {

std::uint64_t RefusalLog::roll(Clock::time_point now) noexcept {
    if (started_ && now - window_start_ < kWindow) return 0;
    started_ = true;
    window_start_ = now;
    lines_ = 0;
    const std::uint64_t held_back = suppressed_;
    suppressed_ = 0;
    return held_back;
}

RefusalLog::Admission RefusalLog::admit(Clock::time_point now) noexcept {
    const std::lock_guard lock(mutex_);
    Admission admission;
    admission.suppressed = roll(now);
    if (lines_ < kLinesPerWindow) {
        ++lines_;
        admission.write = true;
    } else {
        ++suppressed_;
    }
    return admission;
}

std::uint64_t RefusalLog::take_suppressed(Clock::time_point now) noexcept {
    const std::lock_guard lock(mutex_);
    if (!started_ || suppressed_ == 0) return 0;
    return roll(now);
}

}  // namespace idshift::fusell

#pragma once
// Waiting for something the daemon does asynchronously (a SIGHUP reload, an exit). The bound
// turns a hang into a failure; no assertion depends on how fast anything happens.
#include <unistd.h>

namespace idshift::itest {

inline constexpr int kEventuallyBoundMs = 15'000;

// Polls `condition` until it holds (true) or the bound passes (false).
template <typename Condition>
bool eventually(Condition condition) {
    constexpr int kStepMs = 10;
    for (int waited = 0; waited <= kEventuallyBoundMs; waited += kStepMs) {
        if (condition()) return true;
        ::usleep(kStepMs * 1000);
    }
    return condition();
}

}  // namespace idshift::itest

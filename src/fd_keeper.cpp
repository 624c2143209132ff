#include "fd_keeper.hpp"

#include <spdlog/spdlog.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>

#include "idshift/kext/notify_prune.hpp"

namespace idshift::daemon {
namespace {

constexpr auto kCheckEvery = std::chrono::milliseconds(50);
constexpr auto kLogEvery = std::chrono::minutes(1);

}  // namespace

FdKeeper::FdKeeper(fusell::Filesystem& fs, int dev_fd, std::size_t fd_limit)
    : fs_(fs), dev_fd_(dev_fd), high_(fd_limit / 2), low_(fd_limit / 8 * 3) {
    fs_.on_fd_pressure(high_, [this] {
        pressure_.store(true, std::memory_order_relaxed);
        wake_.notify_one();  // a wake-up lost between the keeper's check and its wait costs 50 ms
    });
    thread_ = std::thread([this] { run(); });
}

FdKeeper::~FdKeeper() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
    fs_.on_fd_pressure(SIZE_MAX, {});  // the loop has ended: no request calls the hook now
}

void FdKeeper::run() {
    auto last_log = std::chrono::steady_clock::now();
    std::unique_lock lock(mutex_);
    while (true) {
        wake_.wait_for(lock, kCheckEvery, [this] {
            return stopping_ || pressure_.exchange(false, std::memory_order_relaxed);
        });
        if (stopping_) return;
        lock.unlock();
        const bool go_on = keep_in_check();
        if (pruned_since_log_ > 0 && std::chrono::steady_clock::now() - last_log >= kLogEvery) {
            spdlog::info(
                "asked the kernel to drop {} unused nodes, to keep this storage's fds (one per "
                "node: it gives no file handles) below {}",
                pruned_since_log_, high_);
            pruned_since_log_ = 0;
            last_log = std::chrono::steady_clock::now();
        }
        lock.lock();
        if (!go_on) return;
    }
}

bool FdKeeper::keep_in_check() {
    const std::size_t pinned = fs_.pinned_nodes();
    if (pinned <= high_) return true;
    const std::vector<fuse_ino_t> ids = fs_.pinned_nodes_unused_longest(pinned - low_);
    const int rc = fusell::kext::notify_prune(dev_fd_, ids);
    if (rc == 0) {
        if (pruned_since_log_ == 0) {
            spdlog::info(
                "{} nodes hold an fd each (storage without file handles): asking the "
                "kernel to drop the {} unused longest",
                pinned, ids.size());
        }
        pruned_since_log_ += ids.size();
        return true;
    }
    if (rc == -ENODEV || rc == -ENOENT) return false;  // the connection is gone
    spdlog::warn(
        "the kernel cannot drop unused nodes (FUSE_NOTIFY_PRUNE: {}): on storage without file "
        "handles the daemon's fds grow with the nodes the kernel caches, {} now",
        std::strerror(-rc), pinned);
    return false;
}

}  // namespace idshift::daemon

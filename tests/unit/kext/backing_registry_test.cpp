#include "idshift/kext/backing_registry.hpp"

#include <catch2/catch.hpp>

#include <cerrno>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace kext = idshift::fusell::kext;

namespace {

// Stands in for the ioctls. The tests pass the inode key as the fd, so the fake can check the
// kernel's rule that an inode never has two backing ids at once.
class FakeDevice final : public kext::BackingDevice {
  public:
    int open_backing(int fd) noexcept override {
        const std::lock_guard lock(mutex_);
        ++opens;
        if (next_error != 0) return -std::exchange(next_error, 0);
        const int id = next_id++;
        if (++live_per_fd[fd] > 1) two_ids_for_one_inode = true;
        fd_of_id[id] = fd;
        return id;
    }
    int close_backing(int backing_id) noexcept override {
        const std::lock_guard lock(mutex_);
        ++closes;
        closed.push_back(backing_id);
        const auto it = fd_of_id.find(backing_id);
        if (it == fd_of_id.end()) return -ENOENT;
        --live_per_fd[it->second];
        fd_of_id.erase(it);
        return 0;
    }

    int next_error = 0;  // the next open_backing fails with this errno
    int next_id = 1;
    int opens = 0;
    int closes = 0;
    std::vector<int> closed;
    std::map<int, int> live_per_fd;
    std::map<int, int> fd_of_id;
    bool two_ids_for_one_inode = false;

  private:
    std::mutex mutex_;
};

struct Fixture {
    FakeDevice device;
    kext::BackingRegistry registry{device};
    Fixture() { registry.set_enabled(true); }
};

}  // namespace

TEST_CASE("all opens of one inode share one backing id", "[kext][registry]") {
    Fixture f;
    auto first = f.registry.acquire(10, 10);
    auto second = f.registry.acquire(10, 10);
    CHECK(first.backing_id() == 1);
    CHECK(second.backing_id() == 1);
    CHECK(f.device.opens == 1);
    CHECK(f.registry.backing_id_of(10) == 1);

    auto other = f.registry.acquire(11, 11);
    CHECK(other.backing_id() == 2);
    CHECK(f.registry.live_ids() == 2U);
}

TEST_CASE("the id is closed on the last release only", "[kext][registry]") {
    Fixture f;
    auto first = f.registry.acquire(10, 10);
    auto second = f.registry.acquire(10, 10);
    first.reset();
    CHECK(f.device.closes == 0);
    CHECK(f.registry.backing_id_of(10) == 1);
    second.reset();
    CHECK(f.device.closed == std::vector<int>{1});
    CHECK(f.registry.backing_id_of(10) == 0);
    CHECK(f.registry.live_ids() == 0U);

    // A later open starts afresh with a new id.
    auto third = f.registry.acquire(10, 10);
    CHECK(third.backing_id() == 2);
}

TEST_CASE("a lease releases exactly once, also after being moved", "[kext][registry]") {
    Fixture f;
    {
        auto lease = f.registry.acquire(10, 10);
        kext::BackingLease moved = std::move(lease);
        CHECK(lease.backing_id() == 0);  // NOLINT(bugprone-use-after-move): checking the moved-from
        CHECK(moved.backing_id() == 1);
        kext::BackingLease assigned;
        assigned = std::move(moved);
        CHECK(f.device.closes == 0);
    }
    CHECK(f.device.closes == 1);
}

TEST_CASE("an inode open without passthrough stays without until its last release",
          "[kext][registry]") {
    Fixture f;
    f.device.next_error = ENOMEM;  // transient: not remembered for the inode
    auto cached = f.registry.acquire(10, 10);
    CHECK(cached.backing_id() == 0);
    CHECK(f.device.opens == 1);

    // The kernel refuses a passthrough open next to a cached one: no registration is attempted.
    auto second = f.registry.acquire(10, 10);
    CHECK(second.backing_id() == 0);
    CHECK(f.device.opens == 1);

    cached.reset();
    second.reset();
    auto fresh = f.registry.acquire(10, 10);
    CHECK(fresh.backing_id() == 1);
    CHECK(f.device.opens == 2);
}

TEST_CASE("opens made while passthrough is off keep their inode cached", "[kext][registry]") {
    FakeDevice device;
    kext::BackingRegistry registry(device);
    auto before = registry.acquire(10, 10);
    CHECK(before.backing_id() == 0);
    registry.set_enabled(true);
    CHECK(registry.acquire(10, 10).backing_id() == 0);  // mixing rule
    CHECK(registry.acquire(11, 11).backing_id() == 1);  // a fresh inode may start
    CHECK(device.opens == 1);
}

TEST_CASE("an open asked without passthrough counts as cached, or shares a live id",
          "[kext][registry]") {
    Fixture f;
    auto declined = f.registry.acquire(10, -1);
    CHECK(declined.backing_id() == 0);
    CHECK(f.device.opens == 0);
    CHECK(f.registry.acquire(10, 10).backing_id() == 0);  // mixing rule: the inode is cached
    declined.reset();
    CHECK(f.registry.acquire(10, 10).backing_id() == 1);  // nothing remembered against it

    auto passthrough = f.registry.acquire(11, 11);
    REQUIRE(passthrough.backing_id() == 2);
    CHECK(f.registry.acquire(11, -1).backing_id() == 2);  // one id per inode while it is open
    CHECK(f.device.opens == 2);
}

TEST_CASE("a failed registration is remembered for the inode until forget", "[kext][registry]") {
    Fixture f;
    f.device.next_error = ELOOP;  // backing file on a stacked filesystem
    f.registry.acquire(10, 10).reset();
    CHECK(f.device.opens == 1);
    CHECK(f.registry.acquire(10, 10).backing_id() == 0);
    CHECK(f.device.opens == 1);  // not retried

    CHECK(f.registry.acquire(11, 11).backing_id() == 1);  // other inodes are unaffected

    f.registry.forget(10);
    CHECK(f.registry.acquire(10, 10).backing_id() == 2);
    CHECK(f.device.opens == 3);
}

TEST_CASE("EPERM turns passthrough off for every new inode", "[kext][registry]") {
    Fixture f;
    auto running = f.registry.acquire(10, 10);
    REQUIRE(running.backing_id() == 1);

    f.device.next_error = EPERM;
    CHECK(f.registry.acquire(11, 11).backing_id() == 0);
    CHECK(f.registry.lost_permission());
    CHECK_FALSE(f.registry.enabled());
    CHECK(f.registry.acquire(12, 12).backing_id() == 0);
    CHECK(f.device.opens == 2);  // not asked again

    // An inode already in passthrough must keep getting its id, or its opens would fail.
    auto again = f.registry.acquire(10, 10);
    CHECK(again.backing_id() == 1);
}

TEST_CASE("concurrent opens never give one inode two backing ids", "[kext][registry]") {
    Fixture f;
    constexpr int kThreads = 8;
    constexpr int kRounds = 2000;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&f, t] {
            std::vector<kext::BackingLease> held;
            for (int i = 0; i < kRounds; ++i) {
                const int key = (i + t) % 4;
                held.push_back(f.registry.acquire(static_cast<kext::InodeKey>(key), key));
                if (held.size() > 3) held.erase(held.begin());
            }
        });
    }
    for (auto& thread : threads)
        thread.join();
    CHECK_FALSE(f.device.two_ids_for_one_inode);
    CHECK(f.device.opens == f.device.closes);
    CHECK(f.registry.live_ids() == 0U);
}

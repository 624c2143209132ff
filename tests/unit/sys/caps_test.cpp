// Capabilities belong to threads: what one thread raises or drops, no other thread sees. The cases
// that change a set run as root (they need CAP_FSETID permitted) and undo what they did.
#include <catch2/catch.hpp>

#include <linux/capability.h>

#include <future>
#include <thread>

#include "idshift/sys/caps.hpp"

namespace sys = idshift::sys;

TEST_CASE("Caps reads the calling thread's sets", "[root]") {
    const sys::Result<sys::Caps> caps = sys::Caps::of_this_thread();
    REQUIRE(caps.ok());
    CHECK(caps->has_effective(CAP_SYS_ADMIN));
    CHECK(caps->has_permitted(CAP_SYS_ADMIN));
    CHECK(sys::thread_has_effective(CAP_SYS_ADMIN));
    CHECK((caps->effective & ~caps->permitted) == 0);
}

TEST_CASE("Caps bit helpers touch only the effective set's one bit") {
    sys::Caps caps;
    caps.permitted = sys::Caps::bit(CAP_FSETID);
    caps.raise_effective(CAP_FSETID);
    CHECK(caps.effective == sys::Caps::bit(CAP_FSETID));
    CHECK(caps.has_effective(CAP_FSETID));
    CHECK_FALSE(caps.has_effective(CAP_CHOWN));
    caps.drop_effective(CAP_FSETID);
    CHECK(caps.effective == 0);
    CHECK(caps.permitted == sys::Caps::bit(CAP_FSETID));
    CHECK(sys::Caps::bit(CAP_SYS_ADMIN) == std::uint64_t{1} << 21);
    CHECK(sys::Caps::bit(63) == std::uint64_t{1} << 63);
}

TEST_CASE("Dropping and raising a capability changes this thread only", "[root]") {
    REQUIRE(sys::thread_has_effective(CAP_FSETID));
    std::promise<bool> dropped;  // whether the dropping thread still sees it after the drop
    std::promise<void> checked;  // the other threads have looked; the dropping thread may restore
    bool back_after_raise = false;
    std::thread dropping([&] {
        sys::Result<sys::Caps> caps = sys::Caps::of_this_thread();
        if (!caps.ok() || (caps->drop_effective(CAP_FSETID), caps->apply_to_this_thread() != 0)) {
            dropped.set_value(true);
            return;
        }
        dropped.set_value(sys::thread_has_effective(CAP_FSETID));
        checked.get_future().wait();
        caps->raise_effective(CAP_FSETID);  // still permitted, so no privilege is needed
        back_after_raise =
            caps->apply_to_this_thread() == 0 && sys::thread_has_effective(CAP_FSETID);
    });
    const bool still_seen_by_dropper = dropped.get_future().get();
    // While the drop holds, this thread and a thread it starts now keep CAP_FSETID.
    const bool seen_here = sys::thread_has_effective(CAP_FSETID);
    bool seen_by_sibling = false;
    std::thread sibling([&] { seen_by_sibling = sys::thread_has_effective(CAP_FSETID); });
    sibling.join();
    checked.set_value();
    dropping.join();
    CHECK_FALSE(still_seen_by_dropper);
    CHECK(seen_here);
    CHECK(seen_by_sibling);
    CHECK(back_after_raise);
}

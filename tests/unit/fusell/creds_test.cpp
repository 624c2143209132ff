// CredsGuard as root: the switch is visible in /proc/thread-self/status of the thread that made
// it, and nowhere else; it is undone when the guard goes.
#include <catch2/catch.hpp>

#include <linux/capability.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdint>
#include <fstream>
#include <functional>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "creds.hpp"
#include "idshift/sys/caps.hpp"

using namespace idshift::fusell;
using idshift::idmap::StorageGid;
using idshift::idmap::StorageUid;

namespace {

struct ThreadIds {
    std::vector<unsigned long> uid;  // real, effective, saved, fs
    std::vector<unsigned long> gid;
    std::vector<unsigned long> groups;
    std::uint64_t cap_eff = 0;
};

std::vector<unsigned long> numbers(const std::string& text) {
    std::istringstream in(text);
    std::vector<unsigned long> out;
    unsigned long n = 0;
    while (in >> n)
        out.push_back(n);
    return out;
}

ThreadIds read_status(const std::string& path) {
    std::ifstream in(path);
    ThreadIds ids;
    std::string line;
    while (std::getline(in, line)) {
        const auto colon = line.find(':');
        const std::string key = line.substr(0, colon);
        const std::string value = line.substr(colon + 1);
        if (key == "Uid") ids.uid = numbers(value);
        if (key == "Gid") ids.gid = numbers(value);
        if (key == "Groups") ids.groups = numbers(value);
        if (key == "CapEff") ids.cap_eff = std::stoull(value, nullptr, 16);
    }
    return ids;
}

ThreadIds this_thread() {
    return read_status("/proc/thread-self/status");
}

std::uint64_t bit(int cap) {
    return std::uint64_t{1} << cap;
}

constexpr int kFsCaps[] = {CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER,
                           CAP_FSETID};

// Runs `inside` in a new thread while a guard for `creds` is held, and returns the ids that
// thread had while the guard was held and after it was gone.
struct Observed {
    int error = -1;
    ThreadIds before;  // the worker, just before the guard
    ThreadIds during;
    ThreadIds after;
    ThreadIds main_during;  // the main thread, read while the worker held the guard
};

// Drops `cap` from the calling thread's effective set (raw capset: this thread only).
void drop_effective(int cap) {
    auto caps = idshift::sys::Caps::of_this_thread();
    REQUIRE(static_cast<bool>(caps));
    caps->drop_effective(cap);
    REQUIRE(caps->apply_to_this_thread() == 0);
}

Observed observe(const StorageCreds& creds, const std::function<void()>& prepare_thread = {}) {
    Observed seen;
    std::mutex mutex;
    std::condition_variable cv;
    bool guard_held = false;
    bool main_read = false;
    const pid_t main_tid = static_cast<pid_t>(syscall(SYS_gettid));
    std::thread worker([&] {
        if (prepare_thread) prepare_thread();
        seen.before = this_thread();
        {
            CredsGuard guard(creds);
            seen.error = guard.error();
            seen.during = this_thread();
            std::unique_lock lock(mutex);
            guard_held = true;
            cv.notify_all();
            cv.wait(lock, [&] { return main_read; });
        }
        seen.after = this_thread();
    });
    {
        std::unique_lock lock(mutex);
        cv.wait(lock, [&] { return guard_held; });
        seen.main_during = read_status("/proc/self/task/" + std::to_string(main_tid) + "/status");
        main_read = true;
        cv.notify_all();
    }
    worker.join();
    return seen;
}

}  // namespace

TEST_CASE("CredsGuard switches fsuid, fsgid and groups of its own thread only", "[root]") {
    const ThreadIds before = this_thread();
    const std::vector<StorageGid> groups{StorageGid{3001}, StorageGid{3002}};
    const Observed seen = observe(StorageCreds{StorageUid{2000}, StorageGid{3000}, groups, false});
    REQUIRE(seen.error == 0);
    REQUIRE(seen.during.uid.size() == 4);
    CHECK(seen.during.uid[3] == 2000);  // fsuid
    CHECK(seen.during.uid[1] == 0);     // the effective uid is untouched
    CHECK(seen.during.gid[3] == 3000);
    CHECK(seen.during.groups == std::vector<unsigned long>{3001, 3002});
    // The main thread saw none of it.
    CHECK(seen.main_during.uid == before.uid);
    CHECK(seen.main_during.gid == before.gid);
    CHECK(seen.main_during.groups == before.groups);
    CHECK(seen.main_during.cap_eff == before.cap_eff);
    // And the worker is back as it was.
    CHECK(seen.after.uid == before.uid);
    CHECK(seen.after.gid == before.gid);
    CHECK(seen.after.groups == before.groups);
    CHECK(seen.after.cap_eff == before.cap_eff);
}

TEST_CASE("a non-zero fsuid drops the filesystem capabilities, and the guard's end restores them",
          "[root]") {
    const ThreadIds before = this_thread();
    for (int cap : kFsCaps)
        REQUIRE((before.cap_eff & bit(cap)) != 0);
    const Observed seen = observe(StorageCreds{StorageUid{2000}, StorageGid{2000}, {}, false});
    REQUIRE(seen.error == 0);
    for (int cap : kFsCaps)
        CHECK((seen.during.cap_eff & bit(cap)) == 0);
    // The ones the daemon needs to switch back stay.
    CHECK((seen.during.cap_eff & bit(CAP_SETUID)) != 0);
    CHECK((seen.during.cap_eff & bit(CAP_SETGID)) != 0);
    CHECK(seen.after.cap_eff == before.cap_eff);
}

TEST_CASE("mount-side root mapped to a non-zero storage uid keeps its capabilities", "[root]") {
    const ThreadIds before = this_thread();
    const Observed seen = observe(StorageCreds{StorageUid{100000}, StorageGid{100000}, {}, true});
    REQUIRE(seen.error == 0);
    CHECK(seen.during.uid[3] == 100000);
    CHECK(seen.during.cap_eff == before.cap_eff);
    CHECK(seen.after.cap_eff == before.cap_eff);
    CHECK(seen.after.uid == before.uid);
}

TEST_CASE("storage uid 0 keeps the capabilities without raising anything", "[root]") {
    const ThreadIds before = this_thread();
    const Observed seen = observe(StorageCreds{StorageUid{0}, StorageGid{50}, {}, false});
    REQUIRE(seen.error == 0);
    CHECK(seen.during.uid[3] == 0);
    CHECK(seen.during.gid[3] == 50);
    CHECK(seen.during.groups.empty());
    CHECK(seen.during.cap_eff == before.cap_eff);
}

TEST_CASE("UmaskGuard sets the umask of its own thread only") {
    const mode_t process_umask = ::umask(022);
    std::thread worker([] {
        {
            UmaskGuard guard(077);
            REQUIRE(guard.error() == 0);
            CHECK(::umask(077) == 077);  // umask(2) returns the previous value
        }
        const mode_t restored = ::umask(0);
        CHECK(restored == 022);
    });
    worker.join();
    CHECK(::umask(process_umask) == 022);  // the main thread never saw 077
}

TEST_CASE("a raise for mount-side root puts back exactly the set the thread had before", "[root]") {
    // As inside a write that must clear set-id bits: CAP_FSETID is off. The kernel raises every
    // filesystem capability on the way back to fsuid 0; the guard must not leave FSETID raised.
    const Observed seen = observe(StorageCreds{StorageUid{100000}, StorageGid{100000}, {}, true},
                                  [] { drop_effective(CAP_FSETID); });
    REQUIRE(seen.error == 0);
    REQUIRE((seen.before.cap_eff & bit(CAP_FSETID)) == 0);
    CHECK(seen.during.uid[3] == 100000);
    CHECK(seen.during.cap_eff == seen.before.cap_eff);
    CHECK(seen.after.cap_eff == seen.before.cap_eff);
    CHECK(seen.after.uid == seen.before.uid);
}

TEST_CASE("a guard for the thread's own ids and groups changes nothing and restores nothing",
          "[root]") {
    const ThreadIds before = this_thread();
    const Observed seen = observe(StorageCreds{StorageUid{0}, StorageGid{0}, {}, false});
    REQUIRE(seen.error == 0);
    CHECK(seen.during.uid == before.uid);
    CHECK(seen.during.gid == before.gid);
    CHECK(seen.during.cap_eff == before.cap_eff);
    CHECK(seen.after.uid == before.uid);
}

// reload: the map file is replaced and SIGHUP sent while root and mapped-user processes keep
// working through the mount. A broken map must change nothing (and the daemon must say why in its
// log); a good map must show on fresh lookups, and on cached entries within one attribute timeout
// (cache=auto: 1 s); and no call of the background load may fail at any point.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include "args.hpp"
#include "caller.hpp"
#include "daemon_mount.hpp"
#include "load.hpp"
#include "shared_array.hpp"
#include "suite_env.hpp"
#include "summary.hpp"
#include "temp_dir.hpp"
#include "tree_snapshot.hpp"

namespace idshift::robust {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// cache=auto's attribute timeout, and a margin for the clock reads around it.
constexpr milliseconds kAttrTimeout{1000};
constexpr milliseconds kMargin{250};

// What a storage owner should read as under one map, for the two probe owners.
struct Expectation {
    const char* map_name;
    Owner for_storage_2000;
    Owner for_storage_3000;
};
constexpr Expectation kFirstMap{"first map", {1000, 1000}, {65534, 65534}};
constexpr Expectation kSecondMap{"second map", {65534, 65534}, {1000, 1000}};

class ReloadSuite {
  public:
    ReloadSuite(DaemonMount& mount, Summary& summary) : mount_(mount), summary_(summary) {
        probes_ = mount_.backing() / "probe";
        std::filesystem::create_directory(probes_);
        make_probe("old-2000", 2000);
        make_probe("old-3000", 3000);
    }

    // True when fresh and cached probes read as `expected`; reports what does not.
    bool reads_as(const Expectation& expected, bool report) {
        const std::string n = std::to_string(++fresh_);
        make_probe("fresh-2000-" + n, 2000);
        make_probe("fresh-3000-" + n, 3000);
        bool all = true;
        for (const auto& [name, owner] :
             {std::pair{"fresh-2000-" + n, expected.for_storage_2000},
              std::pair{"fresh-3000-" + n, expected.for_storage_3000},
              std::pair{std::string("old-2000"), expected.for_storage_2000},
              std::pair{std::string("old-3000"), expected.for_storage_3000}}) {
            const NodeState node =
                capture_node(mount_.root() / "probe", name, CaptureOptions{false, false});
            if (node.lstat_errno == 0 && node.owner == owner) continue;
            all = false;
            if (report) {
                fail("probe/" + name + " reads as " + describe(node) + " under the " +
                     expected.map_name + ", expected " + std::to_string(owner.uid) + ":" +
                     std::to_string(owner.gid));
            }
        }
        return all;
    }

    void broken_map() {
        const std::size_t log_before = mount_.log_text().size();
        mount_.reload("uid 0 0 1\nuid 1000 3000 100\nthis is not a rule\n");
        summary_.add("faults_injected", 1);
        // The rejection is asynchronous; its log line (naming the file) says it has happened.
        const auto deadline = Clock::now() + std::chrono::seconds(10);
        bool logged = false;
        while (!logged && Clock::now() < deadline) {
            std::this_thread::sleep_for(milliseconds(20));
            logged =
                mount_.log_text().find(mount_.map_file().string(), log_before) != std::string::npos;
        }
        summary_.set("broken_map_logged", logged ? 1 : 0);
        if (!logged) fail("the daemon did not log the rejected map within 10 s");
        // Two attribute timeouts of looking: nothing may have changed.
        const auto until = Clock::now() + 2 * kAttrTimeout;
        while (Clock::now() < until) {
            if (!reads_as(kFirstMap, true)) break;
            std::this_thread::sleep_for(milliseconds(100));
        }
        if (!mount_.daemon_running()) fail("the daemon exited after the broken map");
    }

    void good_map(const IdTable& next) {
        const auto sent = Clock::now();
        mount_.reload(next.map_file_text());
        summary_.add("reloads", 1);
        // A fresh lookup shows the new map once the daemon has switched.
        bool switched = false;
        while (!switched && Clock::now() < sent + std::chrono::seconds(10)) {
            std::this_thread::sleep_for(milliseconds(20));
            switched = reads_as_fresh_only(kSecondMap);
        }
        if (!switched) {
            fail("the new map did not show on fresh lookups within 10 s");
            return;
        }
        const auto seen = Clock::now();
        summary_.set("fresh_lookup_ms",
                     std::chrono::duration_cast<milliseconds>(seen - sent).count());
        // Cached entries were fetched before the switch, so they expire within one timeout.
        std::this_thread::sleep_for(kAttrTimeout + kMargin);
        if (!reads_as(kSecondMap, true)) fail("cached entries still show the first map");
        check_create_as_alice(next);
    }

  private:
    void fail(const std::string& what) {
        std::printf("FAIL %s\n", what.c_str());
        summary_.add("failures", 1);
    }

    void make_probe(const std::string& name, std::uint32_t storage_id) {
        const std::filesystem::path path = probes_ / name;
        const int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
        if (fd >= 0) ::close(fd);
        if (fd < 0 || ::chown(path.c_str(), storage_id, storage_id) != 0) {
            throw std::runtime_error("cannot create probe " + path.string());
        }
    }

    bool reads_as_fresh_only(const Expectation& expected) {
        const std::string n = std::to_string(++fresh_);
        make_probe("fresh-3000-" + n, 3000);
        const NodeState node =
            capture_node(mount_.root() / "probe", "fresh-3000-" + n, CaptureOptions{false, false});
        return node.lstat_errno == 0 && node.owner == expected.for_storage_3000;
    }

    // Ids in follow the new map too: alice's new file is stored under her new storage id.
    void check_create_as_alice(const IdTable& next) {
        const std::filesystem::path work = mount_.root() / "work";
        ChildOptions options;
        options.caller = &kAlice;
        options.timeout = milliseconds(10000);
        const std::string path = (work / "made-by-alice").string();
        const ChildResult made = run_child(options, [&] {
            return from_fd(::open(path.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
        });
        const NodeState stored =
            capture_node(mount_.backing() / "work", "made-by-alice", CaptureOptions{false, false});
        const Owner expected = next.to_storage(Owner{kAlice.uid, kAlice.gid});
        if (!made.problem.empty() || made.outcome.err != 0 || stored.lstat_errno != 0 ||
            !(stored.owner == expected)) {
            fail("alice's file after the reload is stored as " + describe(stored) + ", expected " +
                 std::to_string(expected.uid) + ":" + std::to_string(expected.gid));
        }
    }

    DaemonMount& mount_;
    Summary& summary_;
    std::filesystem::path probes_;
    int fresh_ = 0;
};

int run(const Args& args) {
    const SuiteEnv env = require_environment("reload", args, false, false);
    const auto threads = static_cast<int>(args.number("threads", 3));
    const TempDir temp("reload");
    DaemonMount mount(env, temp.make_dir("backing"), temp.make_dir("mnt"),
                      temp.make_dir("state", 0700), IdTable::standard());
    Summary summary("reload");
    summary.set("target", std::string(target_name(env.target)));
    ReloadSuite suite(mount, summary);
    const std::filesystem::path work = mount.root() / "work";
    if (::mkdir(work.c_str(), 0777) != 0 || ::chmod(work.c_str(), 0777) != 0) {
        throw std::runtime_error("cannot create " + work.string());
    }
    if (!suite.reads_as(kFirstMap, true)) std::printf("(the first map is not in effect)\n");

    SharedArray<LoadCounters> counters(1);
    std::vector<pid_t> loads{start_load(work, kRoot, threads, counters[0]),
                             start_load(work, kAlice, threads, counters[0])};
    std::this_thread::sleep_for(milliseconds(500));  // let the load get going
    suite.broken_map();
    suite.good_map(IdTable::shifted_to_3000());
    counters[0].stop = true;
    if (!wait_for_children(loads, Clock::now() + std::chrono::seconds(60))) {
        for (const pid_t pid : loads)
            ::kill(pid, SIGKILL);
        wait_for_children(loads, Clock::now() + std::chrono::seconds(10));
        summary.add("failures", 1);
        std::printf("FAIL the load did not stop within 60 s\n");
    }
    summary.set("load_ops", static_cast<std::int64_t>(counters[0].ops.load()));
    summary.set("load_errors", static_cast<std::int64_t>(counters[0].errors.load()));
    const bool clean = mount.unmount();
    summary.set("clean_unmount", clean ? 1 : 0);
    summary.add("failures", 0);
    return summary.finish(summary.get("failures") != 0 || counters[0].errors != 0 || !clean);
}

}  // namespace
}  // namespace idshift::robust

int main(int argc, char** argv) {
    const idshift::robust::Args args(argc, argv, {"target", "threads"});
    return idshift::robust::guarded_main("reload", [&] { return idshift::robust::run(args); });
}

// crash: writers append fsynced blocks and create fsynced files through the mount, and the daemon
// is killed with SIGKILL in the middle. Then every operation on the mount must fail with ENOTCONN
// without hanging (each is bounded by a timeout), `fusermount3 -u` must clear the mount, a new
// daemon on the same backing directory must serve the data, and every block and file whose fsync
// returned before the kill must be intact, with its owner. "bytes_lost" counts what is not.
// (A stat of the mount point itself is left out: the kernel answers it from its attribute cache
// for as long as that is valid, without asking the daemon.)
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>
#include <vector>

#include "args.hpp"
#include "caller.hpp"
#include "daemon_mount.hpp"
#include "idshift/sys/unique_fd.hpp"
#include "mountinfo.hpp"
#include "shared_array.hpp"
#include "suite_env.hpp"
#include "summary.hpp"
#include "temp_dir.hpp"
#include "tree_snapshot.hpp"
#include "writers.hpp"

namespace idshift::robust {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::chrono::milliseconds kCallTimeout{5000};

const char* call_name(char call) {
    switch (call) {
        case 'o':
            return "open";
        case 'w':
            return "write";
        case 'f':
            return "fsync";
        case 'd':
            return "fsync of the directory";
        default:
            return "an unknown call";
    }
}

// One fault: which writers run, and how much each must have made durable before the kill.
struct Round {
    const char* name;
    std::vector<WriterKind> writers;
    std::size_t block_size;
    std::uint64_t durable_before_kill;
};

const std::vector<Round>& rounds() {
    static const std::vector<Round> kRounds{
        {"one_writer_64k", {WriterKind::blocks}, 64 * 1024, 20},
        {"four_writers_4k",
         {WriterKind::blocks, WriterKind::blocks, WriterKind::blocks, WriterKind::blocks},
         4096,
         50},
        {"blocks_and_files_1m",
         {WriterKind::blocks, WriterKind::files, WriterKind::files},
         1024 * 1024,
         5},
    };
    return kRounds;
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream content;
    content << in.rdbuf();
    return content.str();
}

// Counts the bytes of `expected` that `actual` does not hold at the same offsets.
std::uint64_t bytes_missing(const std::string& expected, const std::string& actual,
                            std::size_t offset) {
    std::uint64_t missing = 0;
    for (std::size_t i = 0; i < expected.size(); ++i) {
        const std::size_t at = offset + i;
        missing += at >= actual.size() || actual[at] != expected[i] ? 1 : 0;
    }
    return missing;
}

class CrashSuite {
  public:
    CrashSuite(const SuiteEnv& env, std::uint64_t seed)
        : env_(env), seed_(seed), ids_(IdTable::standard()), temp_("crash") {
        backing_ = temp_.make_dir("backing");
        mountpoint_ = temp_.make_dir("mnt");
        state_ = temp_.make_dir("state", 0700);
    }

    void run_round(std::size_t number, const Round& round) {
        std::printf("crash: round %zu (%s)\n", number, round.name);
        std::fflush(stdout);
        const std::string dir = "round" + std::to_string(number);
        SharedArray<WriterSlot> slots(round.writers.size());
        std::vector<pid_t> writers;
        std::vector<WriterSpec> specs;
        {
            DaemonMount mount(env_, backing_, mountpoint_, state_, ids_);
            const std::filesystem::path area = mount.root() / dir;
            ::mkdir(area.c_str(), 0777);
            ::chmod(area.c_str(), 0777);
            for (std::size_t i = 0; i < round.writers.size(); ++i) {
                const std::string name = "w" + std::to_string(i);
                if (round.writers[i] == WriterKind::files) {
                    ::mkdir((area / name).c_str(), 0777);
                    ::chmod((area / name).c_str(), 0777);
                }
                specs.push_back({round.writers[i], area / name, round.block_size,
                                 seed_ + number * 100 + i, &kAlice});
                writers.push_back(start_writer(specs.back(), slots[i]));
            }
            if (!wait_until_durable(slots, round.durable_before_kill)) {
                fail("writers did not reach " + std::to_string(round.durable_before_kill) +
                     " durable units within 120 s");
            }
            // A descriptor opened before the kill, to use afterwards (closed before unmounting).
            sys::UniqueFd open_before(::open((area / "w0").c_str(), O_RDONLY | O_CLOEXEC));
            for (std::size_t i = 0; i < slots.size(); ++i)
                slots[i].kill_sent = true;
            mount.kill_daemon();
            summary_.add("faults_injected", 1);
            if (!wait_for_children(writers, Clock::now() + std::chrono::seconds(30))) {
                fail("writers still blocked 30 s after the kill");
                for (const pid_t pid : writers)
                    ::kill(pid, SIGKILL);
                wait_for_children(writers, Clock::now() + std::chrono::seconds(10));
            }
            for (std::size_t i = 0; i < slots.size(); ++i)
                check_writer_stop(slots[i], i);
            check_dead_mount(area, open_before.get());
            open_before.reset();
            if (!mount.fusermount_unmount())
                fail("fusermount3 -u did not clear the dead mount");
            else
                summary_.add("unmounts_after_kill", 1);
        }
        DaemonMount again(env_, backing_, mountpoint_, state_, ids_);
        for (std::size_t i = 0; i < specs.size(); ++i) {
            WriterSpec spec = specs[i];
            spec.where = again.root() / dir / spec.where.filename();
            verify(spec, slots[i].durable, again.backing() / dir / spec.where.filename());
        }
        if (!again.unmount()) fail("the daemon did not unmount cleanly on SIGTERM");
    }

    int finish() {
        summary_.add("failures", 0);
        return summary_.finish(summary_.get("failures") != 0 || summary_.get("bytes_lost") != 0);
    }

    Summary& summary() { return summary_; }

  private:
    void fail(const std::string& what) {
        std::printf("FAIL %s\n", what.c_str());
        summary_.add("failures", 1);
    }

    bool wait_until_durable(SharedArray<WriterSlot>& slots, std::uint64_t wanted) {
        const auto deadline = Clock::now() + std::chrono::seconds(120);
        while (Clock::now() < deadline) {
            bool all = true;
            for (std::size_t i = 0; i < slots.size(); ++i) {
                if (slots[i].stopped) return false;
                all = all && slots[i].durable >= wanted;
            }
            if (all) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        return false;
    }

    void check_writer_stop(WriterSlot& slot, std::size_t index) {
        const int err = slot.final_errno;
        if (!slot.failed_after_kill) {
            fail("writer " + std::to_string(index) + " stopped with " + errno_name(err) + " from " +
                 call_name(slot.failed_call) + " before the daemon was killed");
            return;
        }
        // A call made after the connection died gets ENOTCONN. The call in flight gets
        // ECONNABORTED, or EIO when the daemon died while the kernel was copying that request
        // to it (the kernel ends such a request with EIO; seen with 64 KiB writes).
        if (err != ENOTCONN && err != ECONNABORTED && err != EIO) {
            fail("writer " + std::to_string(index) + " stopped with " + errno_name(err) + " from " +
                 call_name(slot.failed_call) + ", not ENOTCONN, ECONNABORTED or EIO");
        }
    }

    // Each call in its own child, bounded: a hang is a failure, not a stuck suite.
    void expect_enotconn(const char* what, const std::function<Outcome()>& call) {
        ChildOptions options;
        options.timeout = kCallTimeout;
        const ChildResult result = run_child(options, call);
        summary_.add("dead_mount_calls", 1);
        if (result.timed_out) {
            summary_.add("hangs", 1);
            fail(std::string(what) + " on the dead mount hung");
        } else if (!result.problem.empty() || result.outcome.err != ENOTCONN) {
            fail(std::string(what) + " on the dead mount gave " +
                 (result.problem.empty() ? describe(result.outcome) : result.problem) +
                 ", not ENOTCONN");
        }
    }

    void check_dead_mount(const std::filesystem::path& area, int open_before) {
        const std::string file = (area / "w0").string();
        const std::string fresh = (area / "fresh").string();
        const std::string root = mountpoint_.string();
        struct stat st {};
        expect_enotconn("stat", [&] { return from_rc(::stat(file.c_str(), &st)); });
        expect_enotconn("create", [&] {
            return from_fd(::open(fresh.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
        });
        expect_enotconn("mkdir", [&] { return from_rc(::mkdir((fresh + "d").c_str(), 0755)); });
        expect_enotconn("unlink", [&] { return from_rc(::unlink(file.c_str())); });
        expect_enotconn("opendir", [&] {
            return from_fd(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        });
        expect_enotconn("statfs", [&] {
            struct statfs fs {};
            return from_rc(::statfs(root.c_str(), &fs));
        });
        expect_enotconn("fstat of a descriptor opened before the kill",
                        [&] { return from_rc(::fstat(open_before, &st)); });
    }

    void verify(const WriterSpec& spec, std::uint64_t durable,
                const std::filesystem::path& on_backing) {
        summary_.add("durable_units", static_cast<std::int64_t>(durable));
        const Owner alice{kAlice.uid, kAlice.gid};
        if (spec.kind == WriterKind::blocks) {
            const std::string content = read_file(spec.where);
            for (std::uint64_t index = 0; index < durable; ++index) {
                const std::string expected = block_content(spec.seed, index, spec.block_size);
                summary_.add("bytes_checked", static_cast<std::int64_t>(expected.size()));
                summary_.add("bytes_lost", static_cast<std::int64_t>(bytes_missing(
                                               expected, content, index * spec.block_size)));
            }
            check_owner(spec.where, alice, on_backing);
            return;
        }
        for (std::uint64_t index = 0; index < durable; ++index) {
            const std::string name = created_file_name(index);
            const std::string expected = block_content(spec.seed, index, spec.block_size);
            summary_.add("bytes_checked", static_cast<std::int64_t>(expected.size()));
            summary_.add("bytes_lost", static_cast<std::int64_t>(bytes_missing(
                                           expected, read_file(spec.where / name), 0)));
            check_owner(spec.where / name, alice, on_backing / name);
        }
    }

    void check_owner(const std::filesystem::path& through_mount, Owner expected,
                     const std::filesystem::path& on_backing) {
        const NodeState mounted = capture_node(through_mount, "", CaptureOptions{false, false});
        const NodeState stored = capture_node(on_backing, "", CaptureOptions{false, false});
        const Owner stored_expected = ids_.to_storage(expected);
        if (mounted.lstat_errno != 0 || !(mounted.owner == expected) || stored.lstat_errno != 0 ||
            !(stored.owner == stored_expected)) {
            fail(through_mount.string() + ": " + describe(mounted) + ", on storage " +
                 describe(stored));
        }
    }

    const SuiteEnv& env_;
    std::uint64_t seed_;
    IdTable ids_;
    TempDir temp_;
    std::filesystem::path backing_;
    std::filesystem::path mountpoint_;
    std::filesystem::path state_;
    Summary summary_{"crash"};
};

int run(const Args& args) {
    const SuiteEnv env = require_environment("crash", args, false, true);
    const std::uint64_t seed = args.number("seed", std::random_device{}());
    std::printf("crash: seed=%llu\n", static_cast<unsigned long long>(seed));
    CrashSuite suite(env, seed);
    suite.summary().set("target", std::string(target_name(env.target)));
    for (std::size_t i = 0; i < rounds().size(); ++i)
        suite.run_round(i, rounds()[i]);
    return suite.finish();
}

}  // namespace
}  // namespace idshift::robust

int main(int argc, char** argv) {
    const idshift::robust::Args args(argc, argv, {"target", "seed"});
    return idshift::robust::guarded_main("crash", [&] { return idshift::robust::run(args); });
}

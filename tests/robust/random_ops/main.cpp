// random_ops: a seeded stream of operations applied in lockstep to a native directory and to the
// mount. After every step the touched paths must agree (result, errno, type, mode, owner, size,
// link count, content, xattrs, directory entries; on the backing directory the owners translated
// to storage ids); every --full-every steps the whole trees must. The seed is printed first;
// --seed S --ops N replays a run exactly, --trace prints every step.
#include <sys/stat.h>

#include <cstdio>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "args.hpp"
#include "daemon_mount.hpp"
#include "effective_caller.hpp"
#include "generator.hpp"
#include "op.hpp"
#include "suite_env.hpp"
#include "summary.hpp"
#include "temp_dir.hpp"
#include "tree_snapshot.hpp"

namespace idshift::robust {
namespace {

// Compares the native side with the mount and the backing directory.
class TreeChecker {
  public:
    TreeChecker(std::filesystem::path native, std::filesystem::path mount,
                std::filesystem::path backing, const IdTable& ids, std::string mount_name)
        : native_(std::move(native)), mount_(std::move(mount)), backing_(std::move(backing)) {
        through_mount_.actual_name = mount_name;
        // Everything but times: names, types, modes, storage ids, sizes, link counts, bytes,
        // symlink targets and xattrs must be what the native side holds.
        on_storage_.fields = kEverything;
        on_storage_.actual_name = "backing";
        on_storage_.translate_owner = [&ids](Owner owner) { return ids.to_storage(owner); };
    }

    // Returns the native state of `path` (the generator learns from it) and appends differences.
    NodeState check_path(const Touch& touch, std::vector<std::string>& differences) const {
        NodeState native = capture_node(native_, touch.path, touch.capture);
        const NodeState mounted = capture_node(mount_, touch.path, touch.capture);
        append(differences, diff_nodes(touch.path, native, mounted, through_mount_));
        const NodeState stored = capture_node(backing_, touch.path, touch.capture);
        append(differences, diff_nodes(touch.path, native, stored, on_storage_));
        if ((touch.atime || touch.mtime) && native.lstat_errno == 0 && !S_ISLNK(native.mode)) {
            append(differences, diff_times(touch, native, mounted, through_mount_));
            append(differences, diff_times(touch, native, stored, on_storage_));
        }
        return native;
    }

    Snapshot check_tree(std::vector<std::string>& differences) const {
        Snapshot native = capture_tree(native_);
        append(differences, diff_trees(native, capture_tree(mount_), through_mount_));
        append(differences, diff_trees(native, capture_tree(backing_), on_storage_));
        return native;
    }

  private:
    // The times utimensat set explicitly, to the nanosecond; the others are left out of the
    // comparison (UTIME_NOW differs between the sides, UTIME_OMIT keeps whatever was there).
    static std::vector<std::string> diff_times(const Touch& touch, NodeState expected,
                                               NodeState actual, const CompareSpec& spec) {
        if (!touch.atime) expected.atime = actual.atime = timespec{};
        if (!touch.mtime) expected.mtime = actual.mtime = timespec{};
        CompareSpec times = spec;
        times.fields = kTimes;
        return diff_nodes(touch.path, expected, actual, times);
    }

    static void append(std::vector<std::string>& lines, std::vector<std::string> more) {
        for (std::string& line : more)
            lines.push_back(std::move(line));
    }

    std::filesystem::path native_;
    std::filesystem::path mount_;
    std::filesystem::path backing_;
    CompareSpec through_mount_;
    CompareSpec on_storage_;
};

int run(const Args& args) {
    const SuiteEnv env = require_environment("random_ops", args, true, true);
    const std::uint64_t seed = args.number("seed", std::random_device{}());
    const std::uint64_t total = args.number("steps", args.number("ops", 100000));
    const std::uint64_t full_every = std::max<std::uint64_t>(1, args.number("full-every", 1000));
    const bool trace = args.flag("trace");
    // What else a replay needs: the variant's mount option lives in the environment.
    std::string replay_extra;
    // --as NAME: every operation is made as that mapped user (alice, or bob with the extra
    // group 1002), on both sides; the checks stay root's.
    const std::string as = args.get("as").value_or("root");
    const Caller* caller = caller_named(as);
    if (caller == nullptr) {
        std::fprintf(stderr, "--as %s: expected root, alice or bob\n", as.c_str());
        return 2;
    }
    if (caller == &kRoot) caller = nullptr;
    if (caller != nullptr) replay_extra += " --as " + as;
    if (!env.variant.empty()) replay_extra += " (with IDSHIFT_TEST_VARIANT=" + env.variant + ")";
    std::printf("random_ops: seed=%llu steps=%llu (replay: --seed %llu --steps %llu)\n",
                static_cast<unsigned long long>(seed), static_cast<unsigned long long>(total),
                static_cast<unsigned long long>(seed), static_cast<unsigned long long>(total));
    std::fflush(stdout);

    const IdTable ids = env.target == Target::native ? IdTable::identity() : IdTable::standard();
    const std::string mount_name =
        env.target == Target::native ? "mirror" : std::string(target_name(env.target));
    const TempDir temp("random_ops");
    DaemonMount mount(env, temp.make_dir("backing"), temp.make_dir("mnt"),
                      temp.make_dir("state", 0700), ids);
    const std::filesystem::path native = temp.make_dir("native");
    const TreeChecker checker(native, mount.root(), mount.backing(), ids, mount_name);
    ::umask(0);  // the generated modes reach the filesystems unmasked
    if (caller != nullptr) {
        // The caller must be able to create below the two roots (set as root, on both).
        if (::chmod(native.c_str(), 0777) != 0 || ::chmod(mount.root().c_str(), 0777) != 0)
            throw std::runtime_error("cannot open the roots to " + as);
    }

    Summary summary("random_ops");
    summary.set("target", std::string(target_name(env.target)));
    summary.set("seed", std::to_string(seed));
    summary.set("caller", as);
    const bool fifos = args.flag("fifos");
    if (fifos) replay_extra += " --fifos";
    OpGenerator generator(seed, fifos);
    std::uint64_t step = 0;
    std::uint64_t succeeded_ops = 0;
    std::uint64_t checked_paths = 0;
    std::uint64_t full_compares = 0;
    std::vector<std::string> differences;
    while (step < total && differences.empty()) {
        ++step;
        const Op op = generator.next();
        Outcome on_native;
        Outcome on_mount;
        {
            const EffectiveCaller acting(caller);
            on_native = apply(op, native);
            on_mount = apply(op, mount.root());
        }
        succeeded_ops += succeeded(on_native) ? 1 : 0;
        if (on_native != on_mount) {
            differences.push_back("result native=" + describe(on_native) + " " + mount_name + "=" +
                                  describe(on_mount));
        }
        for (Touch touch : touched_paths(op)) {
            // A refused utimensat set no time: there is none to compare.
            if (!succeeded(on_native)) touch.atime = touch.mtime = false;
            generator.observe(touch.path, checker.check_path(touch, differences));
            ++checked_paths;
        }
        if (step % full_every == 0 || step == total) {
            generator.resync(checker.check_tree(differences));
            ++full_compares;
        }
        if (trace) {
            std::printf("step %llu: %s => %s\n", static_cast<unsigned long long>(step),
                        describe(op).c_str(), describe(on_native).c_str());
        }
        if (!differences.empty()) {
            std::printf("MISMATCH at step %llu (seed %llu): %s\n",
                        static_cast<unsigned long long>(step),
                        static_cast<unsigned long long>(seed), describe(op).c_str());
            for (const std::string& line : differences)
                std::printf("    %s\n", line.c_str());
            // The stream depends only on the seed and the native results: these repeat it up
            // to the failing step.
            std::printf(
                "replay: robust_random_ops --seed %llu --steps %llu%s (fails at step "
                "%llu: %s)\n",
                static_cast<unsigned long long>(seed), static_cast<unsigned long long>(step),
                replay_extra.c_str(), static_cast<unsigned long long>(step), describe(op).c_str());
        } else if (step % 10000 == 0) {
            std::printf("random_ops: %llu steps agree\n", static_cast<unsigned long long>(step));
        }
        std::fflush(stdout);
    }
    summary.set("ops", static_cast<std::int64_t>(step));
    summary.set("ops_succeeded", static_cast<std::int64_t>(succeeded_ops));
    summary.set("paths_checked", static_cast<std::int64_t>(checked_paths));
    summary.set("full_compares", static_cast<std::int64_t>(full_compares));
    summary.set("mismatches", differences.empty() ? 0 : 1);
    const bool clean = mount.unmount();
    summary.set("clean_unmount", clean ? 1 : 0);
    return summary.finish(!differences.empty() || !clean);
}

}  // namespace
}  // namespace idshift::robust

int main(int argc, char** argv) {
    const idshift::robust::Args args(
        argc, argv, {"target", "seed", "ops", "steps", "full-every", "as"}, {"trace", "fifos"});
    return idshift::robust::guarded_main("random_ops", [&] { return idshift::robust::run(args); });
}

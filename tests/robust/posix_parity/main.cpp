// posix_parity: each case runs once in a native directory and once through the mount, as root or
// as a mapped non-root caller; both must give the same return value, errno and resulting tree
// (modes, owners, sizes, contents, link targets), and the backing directory must hold the same
// tree with the owners translated to storage ids.
#include <cstdio>
#include <string>
#include <vector>

#include "args.hpp"
#include "daemon_mount.hpp"
#include "parity_case.hpp"
#include "parity_runner.hpp"
#include "suite_env.hpp"
#include "summary.hpp"
#include "temp_dir.hpp"

namespace idshift::robust {
namespace {

std::vector<ParityCase> all_cases() {
    std::vector<ParityCase> cases;
    const auto take = [&cases](std::vector<ParityCase> more) {
        for (ParityCase& entry : more)
            cases.push_back(std::move(entry));
    };
    for (const Caller* caller : {&kRoot, &kAlice, &kBob}) {
        take(cases_for_creation(*caller));
        take(cases_for_changes(*caller));
        take(cases_for_names(*caller));
    }
    take(cases_for_permissions());
    take(cases_for_sticky_and_setgid());
    take(cases_for_privilege_clearing());
    return cases;
}

int run(const Args& args) {
    const SuiteEnv env = require_environment("posix_parity", args, true, true);
    const IdTable ids = env.target == Target::native ? IdTable::identity() : IdTable::standard();
    const TempDir temp("posix_parity");
    // dev: a native directory lets root create device nodes, so the mount must too.
    MountOptions options;
    options.dev = true;
    DaemonMount mount(env, temp.make_dir("backing"), temp.make_dir("mnt"),
                      temp.make_dir("state", 0700), ids, options);
    // Without a daemon the second directory is a mirror of the first.
    const std::string mount_name =
        env.target == Target::native ? "mirror" : std::string(target_name(env.target));
    const std::vector<ParityCase> cases = all_cases();
    ParityRunner runner(cases, temp.make_dir("native"), mount.root(), mount.backing(), ids,
                        mount_name);
    const std::string only = args.get("only").value_or("");
    // --against-storage: the native directory is on the storage under test (TMPDIR on a GlusterFS
    // mount, say), whose own answers may differ from the cases' (a local filesystem's). A case
    // fails only when the mount answers differently from that storage and not as the case says:
    // where the storage itself strays from POSIX and the kernel's checks in front of idshift do
    // not, the mount may be the more correct of the two. Both kinds are listed.
    const bool against_storage = args.flag("against-storage");

    Summary summary("posix_parity");
    summary.set("target", std::string(target_name(env.target)));
    for (std::size_t index = 0; index < cases.size(); ++index) {
        if (!only.empty() && cases[index].name.find(only) == std::string::npos) continue;
        const Verdict verdict = runner.run(index);
        summary.add("cases", 1);
        summary.add("native_pass", verdict.native_as_expected ? 1 : 0);
        summary.add(mount_name + "_pass", verdict.mount_matches_native ? 1 : 0);
        const bool stricter_than_storage = !verdict.native_as_expected && verdict.mount_as_expected;
        const bool failed = against_storage
                                ? !(verdict.mount_matches_native || stricter_than_storage)
                                : !verdict.report.empty();
        const char* label = failed ? ""
                            : verdict.mount_matches_native
                                ? "(storage differs, mount agrees) "
                                : "(storage differs, mount as the case) ";
        for (const std::string& line : verdict.report)
            std::printf("%s%s\n", label, line.c_str());
        if (failed) summary.add("failed", 1);
    }
    summary.add("failed", 0);
    const bool clean = mount.unmount();
    summary.set("clean_unmount", clean ? 1 : 0);
    return summary.finish(summary.get("failed") != 0 || !clean);
}

}  // namespace
}  // namespace idshift::robust

int main(int argc, char** argv) {
    const idshift::robust::Args args(argc, argv, {"target", "only"}, {"against-storage"});
    return idshift::robust::guarded_main("posix_parity",
                                         [&] { return idshift::robust::run(args); });
}

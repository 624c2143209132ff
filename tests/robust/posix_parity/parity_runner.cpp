#include "parity_runner.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <stdexcept>

#include "caller.hpp"
#include "tree_snapshot.hpp"

namespace idshift::robust {
namespace {

// A case that takes longer than this is hung, not slow.
constexpr std::chrono::milliseconds kCallTimeout{20000};

std::string case_dir_name(int index) {
    char name[16];
    std::snprintf(name, sizeof name, "c%04d", index);
    return name;
}

}  // namespace

ParityRunner::SideRun ParityRunner::run_side(const std::filesystem::path& root,
                                             const std::string& dir, std::size_t index) {
    const ParityCase& parity_case = cases_[index];
    SideRun side;
    const std::filesystem::path where = root / dir;
    try {
        if (::mkdir(where.c_str(), 0755) != 0 || ::chmod(where.c_str(), 0755) != 0) {
            throw std::runtime_error("mkdir " + where.string() + ": " + errno_name(errno));
        }
        TreeBuilder tree(where);
        build_standard_layout(tree, *parity_case.caller);
        if (parity_case.extra) parity_case.extra(tree);
    } catch (const std::exception& error) {
        side.setup_error = error.what();
        return side;
    }
    auto& process = callers_[parity_case.caller];
    if (!process) {
        process = std::make_unique<CallerProcess>(
            *parity_case.caller, [this](std::size_t i) { return cases_[i].action(); });
    }
    side.child = process->run(index, where, 022, kCallTimeout);
    side.tree = capture_tree(where);
    return side;
}

namespace {

std::string result_text(const ParityRunner::SideRun& side) {
    if (!side.setup_error.empty()) return "setup failed: " + side.setup_error;
    if (!side.child.problem.empty()) return "no result: " + side.child.problem;
    return describe(side.child.outcome);
}

bool ran(const ParityRunner::SideRun& side) {
    return side.setup_error.empty() && side.child.problem.empty();
}

void append(std::vector<std::string>& lines, const std::vector<std::string>& more) {
    for (const std::string& line : more)
        lines.push_back("    " + line);
}

}  // namespace

ParityRunner::ParityRunner(const std::vector<ParityCase>& cases, std::filesystem::path native_root,
                           std::filesystem::path mount_root, std::filesystem::path backing_root,
                           const IdTable& ids, std::string mount_name)
    : cases_(cases),
      native_root_(std::move(native_root)),
      mount_root_(std::move(mount_root)),
      backing_root_(std::move(backing_root)),
      ids_(ids),
      mount_name_(std::move(mount_name)) {}

Verdict ParityRunner::run(std::size_t index) {
    const ParityCase& parity_case = cases_[index];
    const std::string dir = case_dir_name(static_cast<int>(index));
    const SideRun native = run_side(native_root_, dir, index);
    const SideRun mounted = run_side(mount_root_, dir, index);

    Verdict verdict;
    verdict.native_as_expected = ran(native) && native.child.outcome == parity_case.expect;
    verdict.mount_as_expected = ran(mounted) && mounted.child.outcome == parity_case.expect;
    std::vector<std::string> differences;
    if (ran(native) && ran(mounted)) {
        CompareSpec through_mount;
        through_mount.actual_name = mount_name_;
        differences = diff_trees(native.tree, mounted.tree, through_mount);
        CompareSpec on_storage;
        on_storage.fields = kShape;
        on_storage.actual_name = "backing";
        on_storage.translate_owner = [this](Owner owner) { return ids_.to_storage(owner); };
        const Snapshot backing = capture_tree(backing_root_ / dir, CaptureOptions{false, false});
        for (std::string& line : diff_trees(native.tree, backing, on_storage)) {
            differences.push_back(std::move(line));
        }
        CompareSpec times;
        times.fields = kTimes;
        times.actual_name = mount_name_;
        for (const std::string& path : parity_case.timed_paths) {
            const auto native_node = native.tree.find(path);
            const auto mount_node = mounted.tree.find(path);
            if (native_node == native.tree.end() || mount_node == mounted.tree.end()) continue;
            for (std::string& line :
                 diff_nodes(path, native_node->second, mount_node->second, times)) {
                differences.push_back(std::move(line));
            }
        }
    }
    verdict.mount_matches_native = ran(native) && ran(mounted) &&
                                   native.child.outcome == mounted.child.outcome &&
                                   differences.empty();
    if (verdict.native_as_expected && verdict.mount_matches_native) return verdict;

    verdict.report.push_back("FAIL " + dir + " " + parity_case.name + " [" +
                             std::string(parity_case.caller->name) + "]" +
                             (verdict.native_as_expected ? "" : " (native differs from the case)"));
    verdict.report.push_back("    expected: " + describe(parity_case.expect));
    verdict.report.push_back("    native:   " + result_text(native));
    verdict.report.push_back("    " + mount_name_ + ":" +
                             std::string(mount_name_.size() < 9 ? 9 - mount_name_.size() : 1, ' ') +
                             result_text(mounted));
    append(verdict.report, differences);
    return verdict;
}

}  // namespace idshift::robust

#pragma once
// Runs one ParityCase in a fresh directory on the native side and on the mount, and says whether
// the native side answered as the case expects and whether the mount answered as the native side.
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "caller.hpp"
#include "id_table.hpp"
#include "parity_case.hpp"
#include "tree_snapshot.hpp"

namespace idshift::robust {

struct Verdict {
    bool native_as_expected = false;
    bool mount_matches_native = false;
    bool mount_as_expected = false;   // the call's outcome through the mount is the case's
    std::vector<std::string> report;  // empty when both hold
};

class ParityRunner {
  public:
    // `native_root`: a plain directory; `mount_root`: the mount; `backing_root`: what the mount
    // serves, whose owners must be the native owners translated by `ids`.
    // `cases` must outlive the runner and stay unchanged: the caller processes run
    // cases[index].action from their copy of it.
    ParityRunner(const std::vector<ParityCase>& cases, std::filesystem::path native_root,
                 std::filesystem::path mount_root, std::filesystem::path backing_root,
                 const IdTable& ids, std::string mount_name);

    Verdict run(std::size_t index);

    // One side's run of a case: the setup error, or the call's result and the tree after it.
    struct SideRun {
        std::string setup_error;
        ChildResult child;
        Snapshot tree;
    };

  private:
    SideRun run_side(const std::filesystem::path& root, const std::string& dir, std::size_t index);

    const std::vector<ParityCase>& cases_;
    std::map<const Caller*, std::unique_ptr<CallerProcess>> callers_;
    std::filesystem::path native_root_;
    std::filesystem::path mount_root_;
    std::filesystem::path backing_root_;
    const IdTable& ids_;
    std::string mount_name_;
};

}  // namespace idshift::robust

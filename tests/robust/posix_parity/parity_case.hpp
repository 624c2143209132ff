#pragma once
// One POSIX conformance case: the tree it starts from, the call it makes as which caller, and the
// result the native filesystem gives (which idshift must then give too).
#include <sys/types.h>

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "caller.hpp"
#include "id_table.hpp"
#include "outcome.hpp"

namespace idshift::robust {

// Creates entries below one root as root, with exact modes and owners (mount-side ids), whatever
// the umask. Throws std::runtime_error naming the entry and errno when a step fails.
class TreeBuilder {
  public:
    explicit TreeBuilder(std::filesystem::path root) : root_(std::move(root)) {}

    void dir(const std::string& path, mode_t mode, Owner owner);
    void file(const std::string& path, mode_t mode, Owner owner, std::string_view content);
    void symlink(const std::string& target, const std::string& path, Owner owner);
    void fifo(const std::string& path, mode_t mode, Owner owner);
    void hardlink(const std::string& existing, const std::string& path);
    void chmod(const std::string& path, mode_t mode);
    void chown(const std::string& path, Owner owner);
    void times(const std::string& path, timespec atime, timespec mtime);

  private:
    std::string full(const std::string& path) const;
    // chown first: it clears suid/sgid, which the chmod then sets.
    void own(const std::string& path, mode_t mode, Owner owner, bool is_symlink);

    std::filesystem::path root_;
};

struct ParityCase {
    std::string name;
    const Caller* caller;
    Outcome expect;  // what the native filesystem answers; ret is 0 for every success
    std::function<Outcome()> action;          // runs in the case directory, relative paths
    std::function<void(TreeBuilder&)> extra;  // more setup after the standard layout
    std::vector<std::string> timed_paths;     // paths whose atime and mtime must match too
};

// Collects cases for one caller: add("rename.over_file", ok(), [] { ... }).
class CaseList {
  public:
    explicit CaseList(const Caller& caller) : caller_(caller) {}
    CaseList& add(std::string name, Outcome expect, std::function<Outcome()> action,
                  std::function<void(TreeBuilder&)> extra = {},
                  std::vector<std::string> timed_paths = {}) {
        cases_.push_back(ParityCase{std::move(name), &caller_, expect, std::move(action),
                                    std::move(extra), std::move(timed_paths)});
        return *this;
    }
    const Caller& caller() const { return caller_; }
    bool is_root() const { return caller_.uid == 0; }
    std::vector<ParityCase> take() { return std::move(cases_); }

  private:
    const Caller& caller_;
    std::vector<ParityCase> cases_;
};

inline Owner owner_of(const Caller& caller) {
    return Owner{caller.uid, caller.gid};
}
inline Outcome ok() {
    return Outcome{0, 0};
}
inline Outcome fails(int err) {
    return Outcome{-1, err};
}

// The tree every case starts from (see layout.cpp for what each entry is for). `w` belongs to
// the case's caller.
void build_standard_layout(TreeBuilder& tree, const Caller& caller);

// Call helpers that make every success read as ret 0.
Outcome ok_if(long rc);
// open(path, flags, 0644), then `with_fd` on the descriptor; the open's failure if it fails.
Outcome on_open(const char* path, int flags, const std::function<long(int)>& with_fd);
// open(path, flags), write `data` at `offset`, close.
Outcome write_at(const char* path, int flags, off_t offset, std::string_view data);

// A name of exactly `length` bytes, and relative paths longer than PATH_MAX that lead to `tail`.
std::string name_of_length(std::size_t length);
std::string path_longer_than_path_max(const std::string& tail);

// The groups of cases; each returns its cases in a stable order.
// Run once per caller: creating calls (open, mkdir, mkfifo, mknod, symlink, link), changing calls
// (chmod, chown, rename, rmdir, unlink, truncate, ftruncate, utimensat, posix_fallocate), and the
// name errors (ENAMETOOLONG, ELOOP, ENOTDIR) across all of them.
std::vector<ParityCase> cases_for_creation(const Caller& caller);
std::vector<ParityCase> cases_for_changes(const Caller& caller);
std::vector<ParityCase> cases_for_names(const Caller& caller);
// Run as the caller each case names.
std::vector<ParityCase> cases_for_permissions();
std::vector<ParityCase> cases_for_sticky_and_setgid();
std::vector<ParityCase> cases_for_privilege_clearing();

}  // namespace idshift::robust

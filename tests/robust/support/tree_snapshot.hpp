#pragma once
// What a tree looks like, captured without following symlinks, and the differences between two
// captures. The suites capture the native directory, the mount and the backing directory and
// compare them field by field, translating ownership where the sides use different ids.
#include <sys/stat.h>

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "id_table.hpp"

namespace idshift::robust {

struct NodeState {
    int lstat_errno = 0;  // nonzero: lstat failed (ENOENT: absent) and nothing else is set
    mode_t mode = 0;      // type and permission bits, including suid/sgid/sticky
    Owner owner{0, 0};
    off_t size = 0;
    nlink_t nlink = 0;
    dev_t rdev = 0;
    timespec atime{};
    timespec mtime{};
    std::string link_target;  // symlinks
    std::string content;      // regular files
    int content_errno = 0;
    std::vector<std::string> entries;  // directories: names, sorted, without "." and ".."
    int entries_errno = 0;
    std::vector<std::pair<std::string, std::string>> xattrs;  // sorted by name
    int xattr_errno = 0;
};

// Relative path ("" is the root itself) -> state.
using Snapshot = std::map<std::string, NodeState>;

struct CaptureOptions {
    bool content = true;  // regular files: read them
    bool xattrs = true;
    bool entries = true;  // directories: list them (capture_tree always does)
};

NodeState capture_node(const std::filesystem::path& root, const std::string& relative,
                       CaptureOptions options = {});
Snapshot capture_tree(const std::filesystem::path& root, CaptureOptions options = {});

enum CompareField : unsigned {
    kType = 1U << 0,
    kPermissions = 1U << 1,  // the 07777 bits
    kOwnership = 1U << 2,
    kSize = 1U << 3,
    kLinkCount = 1U << 4,
    kContent = 1U << 5,
    kEntries = 1U << 6,
    kXattrs = 1U << 7,
    kLinkTarget = 1U << 8,
    kDeviceNumber = 1U << 9,
    kTimes = 1U << 10,             // atime and mtime, to the nanosecond
    kEverything = (1U << 10) - 1,  // all but kTimes
    kShape = kType | kPermissions | kOwnership | kEntries | kLinkTarget,
};

// How to compare: which fields, what the sides are called in messages, and how an owner on the
// expected side reads on the actual side (identity, or IdTable::to_storage).
struct CompareSpec {
    unsigned fields = kEverything;
    std::string expected_name = "native";
    std::string actual_name = "idshift";
    std::function<Owner(Owner)> translate_owner = [](Owner owner) { return owner; };
};

// One line per difference, each starting with the path.
std::vector<std::string> diff_nodes(const std::string& path, const NodeState& expected,
                                    const NodeState& actual, const CompareSpec& spec);
std::vector<std::string> diff_trees(const Snapshot& expected, const Snapshot& actual,
                                    const CompareSpec& spec);

// "file 0644 1000:1000 size 6" and the like, for failure reports.
std::string describe(const NodeState& node);

}  // namespace idshift::robust

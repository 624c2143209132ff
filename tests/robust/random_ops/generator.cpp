#include "generator.hpp"

#include <fcntl.h>
#include <linux/falloc.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>

#include <array>
#include <iterator>
#include <vector>

namespace idshift::robust {
namespace {

constexpr std::array<const char*, 6> kNames{"a", "b", "c", "f", "g", "h"};
constexpr int kMaxDepth = 3;
// Mapped ids only (mount side): chown to an unmappable id is the integration suite's subject.
constexpr std::array<std::uint32_t, 5> kIds{0, 1000, 1001, 1002, 1099};
constexpr std::array<const char*, 4> kXattrNames{"user.k0", "user.k1", "user.k2",
                                                 "user.a_longer_name"};
constexpr std::uint64_t kMaxOffset = 96 * 1024;
constexpr std::uint64_t kMaxWrite = 12 * 1024;

// Relative weights of the operation kinds, in OpKind order.
constexpr std::array<unsigned, 20> kWeights{
    10,  // create
    16,  // write
    5,   // truncate
    4,   // fallocate
    4,   // punch_hole
    8,   // rename
    5,   // link
    6,   // unlink
    5,   // chmod
    5,   // chown
    6,   // setxattr
    2,   // removexattr
    5,   // mmap_write
    3,   // fsync
    7,   // mkdir
    4,   // rmdir
    4,   // symlink
    3,   // readlink
    3,   // mkfifo
    6,   // utimens
};

int depth_of(const std::string& path) {
    int depth = 1;
    for (const char c : path)
        depth += c == '/' ? 1 : 0;
    return depth;
}

}  // namespace

OpGenerator::OpGenerator(std::uint64_t seed, bool with_fifos)
    : random_(seed), with_fifos_(with_fifos) {}

std::uint64_t OpGenerator::below(std::uint64_t bound) {
    return bound == 0 ? 0 : random_() % bound;
}

bool OpGenerator::chance(unsigned percent) {
    return below(100) < percent;
}

std::string OpGenerator::any_path() {
    std::string path = kNames[below(kNames.size())];
    const auto depth = 1 + below(kMaxDepth);
    for (std::uint64_t level = 1; level < depth; ++level) {
        path += std::string("/") + kNames[below(kNames.size())];
    }
    return path;
}

std::string OpGenerator::existing(bool want_dir) {
    std::vector<const std::string*> candidates;
    for (const auto& [path, is_dir] : known_) {
        if (is_dir == want_dir) candidates.push_back(&path);
    }
    if (candidates.empty() || chance(10)) return any_path();
    return *candidates[below(candidates.size())];
}

std::string OpGenerator::new_name_in_existing_dir() {
    std::string parent = existing(true);
    if (chance(25) || depth_of(parent) >= kMaxDepth) parent.clear();
    const std::string name = kNames[below(kNames.size())];
    return parent.empty() ? name : parent + "/" + name;
}

Op OpGenerator::next() {
    unsigned total = 0;
    std::array<unsigned, kWeights.size()> weights = kWeights;
    if (!with_fifos_) weights[static_cast<std::size_t>(OpKind::mkfifo)] = 0;
    for (const unsigned weight : weights)
        total += weight;
    auto pick = static_cast<unsigned>(below(total));
    std::size_t kind = 0;
    while (pick >= weights[kind])
        pick -= weights[kind++];

    Op op;
    op.kind = static_cast<OpKind>(kind);
    op.data_seed = random_();
    switch (op.kind) {
        case OpKind::create:
            op.path = new_name_in_existing_dir();
            op.mode = static_cast<std::uint32_t>(below(010000));
            op.flags = chance(30) ? O_EXCL : 0;
            break;
        case OpKind::mkdir:
            op.path = new_name_in_existing_dir();
            op.mode = static_cast<std::uint32_t>(chance(80) ? 0755 : below(010000));
            break;
        case OpKind::write:
        case OpKind::mmap_write:
            op.path = existing(false);
            op.offset = chance(20) ? 0 : below(kMaxOffset);
            op.length = 1 + below(kMaxWrite);
            op.flags = chance(50) ? 1 : 0;  // mmap_write: msync before munmap
            break;
        case OpKind::truncate:
            op.path = existing(false);
            op.length = chance(20) ? 0 : below(kMaxOffset + kMaxWrite);
            break;
        case OpKind::fallocate:
            op.path = existing(false);
            op.offset = below(kMaxOffset);
            op.length = 1 + below(32 * 1024);
            op.mode = chance(50) ? FALLOC_FL_KEEP_SIZE : 0;
            break;
        case OpKind::punch_hole:
            op.path = existing(false);
            op.offset = below(kMaxOffset);
            op.length = 1 + below(32 * 1024);
            op.mode = FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE;
            break;
        case OpKind::rename:
            op.path = existing(chance(25));
            op.target = chance(40) ? existing(chance(25)) : new_name_in_existing_dir();
            op.flags = chance(20) ? RENAME_NOREPLACE : chance(20) ? RENAME_EXCHANGE : 0;
            break;
        case OpKind::link:
            op.path = existing(false);
            op.target = chance(15) ? existing(false) : new_name_in_existing_dir();
            break;
        case OpKind::unlink:
            op.path = existing(chance(5));
            break;
        case OpKind::rmdir:
            op.path = existing(chance(90));
            break;
        case OpKind::chmod:
            op.path = existing(chance(30));
            op.mode = static_cast<std::uint32_t>(below(010000));
            break;
        case OpKind::chown:
            op.path = existing(chance(30));
            op.uid = chance(15) ? static_cast<uid_t>(-1) : kIds[below(kIds.size())];
            op.gid = chance(15) ? static_cast<gid_t>(-1) : kIds[below(kIds.size())];
            break;
        case OpKind::setxattr:
            op.path = existing(chance(30));
            op.name = kXattrNames[below(kXattrNames.size())];
            op.length = below(200);
            op.flags = chance(15) ? XATTR_CREATE : chance(15) ? XATTR_REPLACE : 0;
            break;
        case OpKind::removexattr:
            op.path = existing(chance(30));
            op.name = kXattrNames[below(kXattrNames.size())];
            break;
        case OpKind::fsync:
            op.path = existing(chance(30));
            break;
        case OpKind::symlink:
            op.path = new_name_in_existing_dir();
            op.target = link_target(op.path);
            break;
        case OpKind::readlink:
            op.path = existing(chance(10));
            break;
        case OpKind::mkfifo:
            op.path = new_name_in_existing_dir();
            op.mode = static_cast<std::uint32_t>(below(01000));
            break;
        case OpKind::utimens:
            op.path = existing(chance(30));
            op.times.atime = some_time();
            op.times.mtime = some_time();
            break;
    }
    return op;
}

// Explicit most of the time (those are compared), else UTIME_NOW or UTIME_OMIT.
timespec OpGenerator::some_time() {
    const auto which = below(10);
    if (which == 0) return timespec{0, UTIME_NOW};
    if (which == 1) return timespec{0, UTIME_OMIT};
    return timespec{static_cast<time_t>(below(1U << 31)), static_cast<long>(below(1000000000))};
}

// A relative target that stays inside the tree (at most as many ".." as the link is deep), so
// it means the same below the native root and below the mount; it may dangle.
std::string OpGenerator::link_target(const std::string& link) {
    std::string target;
    const auto ups = below(static_cast<std::uint64_t>(depth_of(link)));
    for (std::uint64_t i = 0; i < ups; ++i)
        target += "../";
    return target + kNames[below(kNames.size())] +
           (chance(30) ? std::string("/") + kNames[below(kNames.size())] : std::string());
}

void OpGenerator::observe(const std::string& path, const NodeState& native_state) {
    if (path.empty()) return;
    if (native_state.lstat_errno != 0) {
        // Gone: so is everything that was below it.
        const std::string prefix = path + "/";
        for (auto it = known_.lower_bound(path); it != known_.end();) {
            if (it->first != path && !it->first.starts_with(prefix)) break;
            it = known_.erase(it);
        }
        return;
    }
    known_[path] = S_ISDIR(native_state.mode);
}

void OpGenerator::resync(const Snapshot& native_tree) {
    known_.clear();
    for (const auto& [path, node] : native_tree) {
        if (!path.empty() && node.lstat_errno == 0) known_[path] = S_ISDIR(node.mode);
    }
}

}  // namespace idshift::robust

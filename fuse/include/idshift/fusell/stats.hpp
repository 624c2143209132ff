#pragma once
// What a mounted filesystem has been doing: per operation, how many requests, which errors and how
// long they took; and which ids crossed the map unmapped. Recording is lock-free and never
// allocates (relaxed atomics in fixed arrays), so it sits on every request's path; snapshot()
// copies the counters out for display, at any time, without stopping the filesystem.
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "idshift/idmap/ids.hpp"

namespace idshift::fusell {

// Every operation in the table (operations.cpp), alphabetical.
enum class Op : std::uint8_t {
    access,
    copy_file_range,
    create,
    fallocate,
    flock,
    flush,
    forget,
    forget_multi,
    fsync,
    fsyncdir,
    getattr,
    getlk,
    getxattr,
    link,
    listxattr,
    lookup,
    lseek,
    mkdir,
    mknod,
    open,
    opendir,
    read,
    readdir,
    readdirplus,
    readlink,
    release,
    releasedir,
    removexattr,
    rename,
    rmdir,
    setattr,
    setlk,
    setxattr,
    statfs,
    symlink,
    unlink,
    write_buf,
};

inline constexpr std::array<const char*, 37> kOpNames = {
    "access",     "copy_file_range",
    "create",     "fallocate",
    "flock",      "flush",
    "forget",     "forget_multi",
    "fsync",      "fsyncdir",
    "getattr",    "getlk",
    "getxattr",   "link",
    "listxattr",  "lookup",
    "lseek",      "mkdir",
    "mknod",      "open",
    "opendir",    "read",
    "readdir",    "readdirplus",
    "readlink",   "release",
    "releasedir", "removexattr",
    "rename",     "rmdir",
    "setattr",    "setlk",
    "setxattr",   "statfs",
    "symlink",    "unlink",
    "write_buf",
};
inline constexpr std::size_t kOpCount = kOpNames.size();
static_assert(static_cast<std::size_t>(Op::write_buf) + 1 == kOpCount);

constexpr const char* op_name(Op op) noexcept {
    return kOpNames[static_cast<std::size_t>(op)];
}

// An operation named by a string literal, looked up at compile time: a name that is not in the
// table does not compile.
struct OpName {
    consteval OpName(const char* name) : op(find(name)) {}  // NOLINT: implicit on purpose
    Op op;

  private:
    static consteval Op find(const char* name) {
        for (std::size_t i = 0; i < kOpCount; ++i) {
            if (std::string_view(kOpNames[i]) == std::string_view(name)) return static_cast<Op>(i);
        }
        throw "not an operation in the table";  // only reached at compile time: a build error
    }
};

// Latencies in log2 buckets of nanoseconds: bucket 0 holds up to 2^10 ns (1.024 us), bucket b
// holds (2^(9+b), 2^(10+b)] ns, the last one everything above 2^40 ns (about 18 minutes).
inline constexpr std::size_t kLatencyBuckets = 32;
inline constexpr unsigned kFirstBucketLog2 = 10;
using LatencyCounts = std::array<std::uint64_t, kLatencyBuckets>;

constexpr std::size_t latency_bucket(std::uint64_t ns) noexcept {
    if (ns <= (std::uint64_t{1} << kFirstBucketLog2)) return 0;
    unsigned width = 0;  // bit width of ns - 1: the smallest w with ns <= 2^w
    for (std::uint64_t rest = ns - 1; rest != 0; rest >>= 1)
        ++width;
    const std::size_t bucket = width - kFirstBucketLog2;
    return bucket < kLatencyBuckets ? bucket : kLatencyBuckets - 1;
}

// The inclusive upper bound of a bucket in nanoseconds; the last bucket has none (+Inf).
constexpr std::uint64_t latency_bucket_bound_ns(std::size_t bucket) noexcept {
    return std::uint64_t{1} << (kFirstBucketLog2 + bucket);
}

// The q-quantile (0 < q <= 1) of the latencies counted in `counts`, in nanoseconds, interpolated
// linearly inside the bucket it falls in (as Prometheus's histogram_quantile does). 0 when
// nothing was counted; a quantile in the last bucket reads as that bucket's lower bound.
double latency_quantile_ns(const LatencyCounts& counts, double q) noexcept;

// The errno values an error count is kept for one by one; larger ones share one counter.
inline constexpr int kMaxCountedErrno = 133;  // EHWPOISON, the largest Linux errno

struct OpSnapshot {
    Op op = Op::access;
    std::uint64_t count = 0;
    std::uint64_t latency_sum_ns = 0;
    LatencyCounts latency{};
    // (errno, count) for every errno seen, ascending; then, as errno 0, the shared count of the
    // errno values above kMaxCountedErrno.
    std::vector<std::pair<int, std::uint64_t>> errors;
};

// Which way an unmapped id was met: a storage id read (reported as the unmapped-read id), or a
// mount id that a write wanted to store and the map refused (unmapped-write deny).
enum class Direction { read, write };

struct IdCount {
    std::uint32_t id = 0;
    std::uint64_t count = 0;
    friend bool operator==(const IdCount&, const IdCount&) = default;
};

struct UnmappedSnapshot {
    idmap::Kind kind = idmap::Kind::uid;
    Direction direction = Direction::read;
    std::vector<IdCount> ids;  // ascending by id
    std::uint64_t other = 0;   // hits of ids that found the table full
};

// What idshift did where a storage lacks something (storage/storage_traits.hpp).
enum class Adapted : std::uint8_t {
    owner_set_after_create,  // the storage ignored the creator's ids; the daemon chowned
    owner_refused,           // ... and that chown was refused: the file kept the storage's owner
    passthrough_declined,    // an open served through the daemon, as its storage judges opens
    acl_answered_enodata,    // an ACL name on storage without ACLs, answered as "no ACL"
};
inline constexpr std::array<const char*, 4> kAdaptedNames = {
    "owner-set-after-create", "owner-refused", "passthrough-declined", "acl-answered-enodata"};
inline constexpr std::size_t kAdaptedCount = kAdaptedNames.size();

struct StatsSnapshot {
    std::vector<OpSnapshot> ops;                         // every operation, in Op order
    std::vector<UnmappedSnapshot> unmapped;              // uid read, uid write, gid read, gid write
    std::array<std::uint64_t, kAdaptedCount> adapted{};  // in Adapted order
};

// One storage below the mount, as its startup line gave it.
struct StorageInfo {
    std::string dev;     // "0:52"
    std::string fstype;  // "fuse.glusterfs"
    std::string found;   // what the probe found
    std::string does;    // what idshift does about it
    bool acls = true;
    bool owner_after_create = false;
    bool passthrough = true;
};

// Up to kSlots distinct ids with a count each, plus one counter for every other id. Lock-free:
// a slot is claimed once by compare-and-swap and never given back, so the table stays bounded
// whatever ids arrive.
class IdCounterTable {
  public:
    static constexpr std::size_t kSlots = 64;

    void record(std::uint32_t id) noexcept;
    std::vector<IdCount> ids() const;
    std::uint64_t other() const noexcept { return other_.load(std::memory_order_relaxed); }

  private:
    std::array<std::atomic<std::uint64_t>, kSlots> keys_{};  // 0: free; otherwise id + 1
    std::array<std::atomic<std::uint64_t>, kSlots> counts_{};
    std::atomic<std::uint64_t> other_{0};
};

class Stats {
  public:
    // One answered request: `error` is the errno it was answered with (0: success).
    void record(Op op, int error, std::chrono::nanoseconds latency) noexcept;
    void unmapped(idmap::Kind kind, Direction direction, std::uint32_t id) noexcept;
    void adapted(Adapted what) noexcept;

    StatsSnapshot snapshot() const;

  private:
    // One cache line (at least) per operation, so that threads serving different operations do
    // not share lines.
    struct alignas(64) OpCounters {
        std::atomic<std::uint64_t> count{0};
        std::atomic<std::uint64_t> latency_sum_ns{0};
        std::array<std::atomic<std::uint64_t>, kLatencyBuckets> latency{};
        std::array<std::atomic<std::uint64_t>, kMaxCountedErrno + 1> errors{};  // [0]: larger
    };

    std::array<OpCounters, kOpCount> ops_{};
    std::array<IdCounterTable, 4> unmapped_{};  // index: kind * 2 + direction
    std::array<std::atomic<std::uint64_t>, kAdaptedCount> adapted_{};
};

}  // namespace idshift::fusell

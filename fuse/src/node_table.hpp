#pragma once
// The nodes the kernel knows, one per backing inode, and the nodeids it knows them by.
//
// A nodeid is never a pointer: it encodes the shard (low 6 bits) and a per-shard serial that is
// never reused, and every use looks it up, so a stale or forged nodeid finds nothing (ESTALE)
// instead of freed memory.
//
// Lock order: a Shard's mutex is a leaf. It is held only for map operations: never across a
// syscall, a fuse_reply_*, another shard's mutex or a node's own locks. Whatever must be closed or
// freed is handed back to the caller, to be dropped after the mutex is released.
#include <fuse_lowlevel.h>
#include <sys/types.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "idshift/fusell/result.hpp"
#include "idshift/sys/files.hpp"
#include "page_cache_version.hpp"
#include "posix_locks.hpp"

namespace idshift::fusell {

struct NodeKey {
    dev_t dev = 0;
    ino_t ino = 0;
    friend bool operator==(const NodeKey&, const NodeKey&) = default;
};

struct NodeKeyHash {
    std::size_t operator()(const NodeKey& key) const noexcept;
};

// A name_to_handle_at handle: reopens the inode (open_by_handle_at) without a path and without
// keeping an fd open for as long as the kernel remembers the node.
struct InodeHandle {
    int type = 0;
    int mount_id = -1;
    std::vector<unsigned char> bytes;  // empty: the filesystem gives no handles
    bool empty() const noexcept { return bytes.empty(); }
    friend bool operator==(const InodeHandle&, const InodeHandle&) = default;
};

class Node {
  public:
    Node(fuse_ino_t id, NodeKey key, mode_t type, InodeHandle handle, sys::UniqueFd pinned);

    fuse_ino_t id() const noexcept { return id_; }
    NodeKey key() const noexcept { return key_; }
    // The S_IFMT bits: an inode's type never changes while it lives.
    mode_t type() const noexcept { return type_; }
    bool is_symlink() const noexcept { return S_ISLNK(type_); }
    const InodeHandle& handle() const noexcept { return handle_; }
    // An O_PATH fd held for the node's whole life: the root always has one, and so does every
    // node of a filesystem without handles. -1 otherwise.
    int pinned_fd() const noexcept { return pinned_.get(); }
    const sys::UniqueFd& pinned() const noexcept { return pinned_; }
    PosixLockOwners& posix_locks() noexcept { return posix_locks_; }
    // The kernel's page cache of this node lives exactly as long as the node (one kernel inode per
    // nodeid), so what was cached is tracked here.
    PageCacheVersion& page_cache() noexcept { return page_cache_; }

  private:
    friend class NodeTable;
    const fuse_ino_t id_;
    const NodeKey key_;
    const mode_t type_;
    const InodeHandle handle_;
    const sys::UniqueFd pinned_;
    PosixLockOwners posix_locks_;
    PageCacheVersion page_cache_;
    std::uint64_t nlookup_ = 0;  // guarded by the owning shard's mutex
    // When the node was last found (touch()): which pinned nodes went longest unused.
    std::atomic<std::uint64_t> last_used_{0};
};

class NodeTable {
  public:
    static constexpr std::size_t kShardBits = 6;
    static constexpr std::size_t kShards = std::size_t{1} << kShardBits;

    // `root` is the volume root: FUSE_ROOT_ID, or kVolumeNodeId when the mount is staged. Its id
    // is below every id acquire() hands out, and it is never forgotten.
    explicit NodeTable(std::shared_ptr<Node> root);

    const std::shared_ptr<Node>& root() const noexcept { return root_; }

    // The node with this id, or null when the kernel has forgotten it (or never had it).
    std::shared_ptr<Node> find(fuse_ino_t id) const;

    // One more kernel reference to the inode `key`. Returns the node already known for it when its
    // handle is the same; otherwise (a first lookup, or an inode number reused by a new inode)
    // a new node, which takes `pinned`. Hard links therefore share one node.
    std::shared_ptr<Node> acquire(NodeKey key, mode_t type, InodeHandle handle,
                                  sys::UniqueFd pinned);

    // Drops `count` kernel references. Returns the node when that was the last one; it is out of
    // the table, and the caller releases it after any lock of its own.
    std::shared_ptr<Node> forget(fuse_ino_t id, std::uint64_t count);

    // Ids of every node, the root included.
    std::vector<fuse_ino_t> ids() const;
    std::size_t size() const;
    // The kernel references the table holds for `id` (0 when unknown; 1 for the root).
    std::uint64_t lookup_count(fuse_ino_t id) const;

    // Nodes that hold an fd of their own (storage without file handles), the root left out.
    std::size_t pinned_count() const noexcept { return pinned_.load(std::memory_order_relaxed); }
    // Up to `count` of those, the ones found least recently.
    std::vector<fuse_ino_t> least_recently_used_pinned(std::size_t count);
    // Calls `hook` (without any lock held) when the pinned count reaches `mark`, and again every
    // kPressureStride nodes above it. Set before the table is shared between threads.
    void on_pinned_pressure(std::size_t mark, std::function<void()> hook);
    // Calls the hook now: an open just failed with EMFILE.
    void report_fd_shortage() const;
    static constexpr std::size_t kPressureStride = 32;

    static std::size_t shard_of(NodeKey key) noexcept;
    static std::size_t shard_of(fuse_ino_t id) noexcept { return id & (kShards - 1); }

  private:
    // Not a sys::ShardedMap: one shard holds two maps (by id and by key) kept in step under one
    // mutex, plus the serial that encodes the shard into the ids it hands out.
    struct Shard {
        mutable std::mutex mutex;
        std::unordered_map<fuse_ino_t, std::shared_ptr<Node>> by_id;
        std::unordered_map<NodeKey, fuse_ino_t, NodeKeyHash> by_key;
        std::uint64_t next_serial = 1;
    };

    // In milliseconds of the monotonic clock: a vDSO read, no shared cache line written.
    static void touch(Node& node) noexcept {
        const auto now = std::chrono::steady_clock::now().time_since_epoch();
        node.last_used_.store(
            static_cast<std::uint64_t>(
                std::chrono::duration_cast<std::chrono::milliseconds>(now).count()),
            std::memory_order_relaxed);
    }

    std::shared_ptr<Node> root_;
    std::array<Shard, kShards> shards_;
    std::atomic<std::size_t> pinned_{0};
    std::size_t pressure_mark_ = SIZE_MAX;
    std::function<void()> pressure_hook_;
};

}  // namespace idshift::fusell

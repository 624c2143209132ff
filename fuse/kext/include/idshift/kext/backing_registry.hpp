#pragma once
// One FUSE passthrough backing id per filesystem inode, shared by all of its opens.
//
// The kernel's rules (fs/fuse/iomode.c), all of which fail open(2) with a silent EIO when broken:
//  - one backing file per inode at a time: every open of an inode that has a passthrough open must
//    carry the same backing id;
//  - no mixing: while an inode has a passthrough open, a cached (non-passthrough) open fails, and
//    the other way round;
//  - the id must stay registered until the kernel has processed the open reply.
// The registry enforces them by counting every open of every inode, passthrough or not: a new
// inode starts in passthrough only when it has no open at all, and from then on every open reuses
// the id until the last one is released. The caller cannot get this wrong as long as it calls
// acquire() for every open of a regular file and honours the returned lease's backing_id().
//
// Locking: the table is split into shards, each with its own mutex, so opens of different inodes
// rarely contend. A shard lock is held across the BACKING_OPEN/BACKING_CLOSE ioctl (two opens of
// one inode must not both register), never across a FUSE reply, and no other lock is taken under
// it.

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <unordered_map>

namespace idshift::fusell::kext {

// Opaque per-inode key chosen by the filesystem (a node pointer, or the fuse_ino_t).
using InodeKey = std::uint64_t;

// The two /dev/fuse ioctls; tests substitute a fake.
class BackingDevice {
  public:
    virtual ~BackingDevice() = default;
    // Registers `fd` (an open file, or on 6.10+ an O_PATH fd) as a backing file.
    // Returns the backing id (> 0) or -errno.
    virtual int open_backing(int fd) noexcept = 0;
    // Drops the id. Returns 0 or -errno.
    virtual int close_backing(int backing_id) noexcept = 0;
};

class BackingRegistry;

// One open's slot in the registry: move-only, released when destroyed. Keep it with the open file
// (in the object fi->fh points to) until RELEASE, so it is dropped exactly once, also when the open
// reply fails and the kernel will never send RELEASE for it.
class BackingLease {
  public:
    BackingLease() noexcept = default;
    BackingLease(BackingLease&& other) noexcept;
    BackingLease& operator=(BackingLease&& other) noexcept;
    BackingLease(const BackingLease&) = delete;
    BackingLease& operator=(const BackingLease&) = delete;
    ~BackingLease();

    // The id to put in the open reply (reply_open / reply_create); 0: reply without passthrough.
    [[nodiscard]] int backing_id() const noexcept { return backing_id_; }
    [[nodiscard]] bool passthrough() const noexcept { return backing_id_ > 0; }
    // Releases the slot now (the destructor then does nothing).
    void reset() noexcept;

  private:
    friend class BackingRegistry;
    BackingLease(BackingRegistry* registry, InodeKey key, int backing_id) noexcept
        : registry_(registry), key_(key), backing_id_(backing_id) {}

    BackingRegistry* registry_ = nullptr;
    InodeKey key_ = 0;
    int backing_id_ = 0;
};

class BackingRegistry {
  public:
    explicit BackingRegistry(BackingDevice& device) noexcept : device_(device) {}
    BackingRegistry(const BackingRegistry&) = delete;
    BackingRegistry& operator=(const BackingRegistry&) = delete;

    // Whether inodes may start passthrough. Off until the INIT probe says passthrough is usable.
    void set_enabled(bool enabled) noexcept { enabled_.store(enabled, std::memory_order_release); }
    [[nodiscard]] bool enabled() const noexcept {
        return enabled_.load(std::memory_order_acquire) &&
               !lost_permission_.load(std::memory_order_acquire);
    }
    // True once BACKING_OPEN answered EPERM: passthrough is then off for every new inode.
    [[nodiscard]] bool lost_permission() const noexcept {
        return lost_permission_.load(std::memory_order_acquire);
    }

    // Counts one open of `key` and decides its mode. `fd` is registered as the backing file on the
    // inode's first passthrough open; the kernel takes its own reference, so the caller may close
    // `fd` once the open reply is sent. Returns a lease whose backing_id() is the shared id, or 0
    // when this open must go without passthrough: passthrough is off, the inode already has opens
    // without passthrough, or registering failed (remembered for the inode until forget(); EPERM
    // turns passthrough off for every new inode). A negative `fd` asks for an open without
    // passthrough: it counts as one, unless the inode already has passthrough opens, whose id it
    // must then share. Throws only std::bad_alloc.
    [[nodiscard]] BackingLease acquire(InodeKey key, int fd);

    // Drops what the registry remembers about `key` (a failed registration). Call it when the
    // filesystem drops the node; open leases keep their own entry.
    void forget(InodeKey key) noexcept;

    // Diagnostics: the id currently registered for `key` (0 if none) and the number of live ids.
    [[nodiscard]] int backing_id_of(InodeKey key) const noexcept;
    [[nodiscard]] std::size_t live_ids() const noexcept;

  private:
    friend class BackingLease;

    struct Entry {
        int backing_id = 0;
        std::uint32_t passthrough_opens = 0;
        std::uint32_t cached_opens = 0;
        int failure = 0;  // errno of a failed registration, remembered until forget()
    };
    // Not a sys::ShardedMap: registering a backing id is an ioctl made with the shard lock held
    // on purpose (see Locking above), which the map's leaf-lock rule forbids.
    struct alignas(64) Shard {  // a cache line each: shards do not false-share
        mutable std::mutex mutex;
        std::unordered_map<InodeKey, Entry> entries;
    };
    static constexpr std::size_t kShards = 64;

    [[nodiscard]] Shard& shard_for(InodeKey key) const noexcept;
    // Starts passthrough for a fresh entry; returns the id or 0. Called with the shard lock held.
    int try_register(Entry& entry, int fd) noexcept;
    void release(InodeKey key, int backing_id) noexcept;

    BackingDevice& device_;
    std::atomic<bool> enabled_{false};
    std::atomic<bool> lost_permission_{false};
    mutable std::array<Shard, kShards> shards_;
};

}  // namespace idshift::fusell::kext

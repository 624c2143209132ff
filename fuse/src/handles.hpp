#pragma once
// Open files and directories, and the table that turns the fh the kernel sends back into them.
// Like nodeids, fh values are table keys (never pointers) and are never reused, so a stale fh
// finds nothing (EBADF).
//
// Lock order: each shard's mutex is a leaf, held only for map operations.
#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "idshift/fusell/result.hpp"
#include "idshift/sys/files.hpp"
#include "idshift/sys/sharded_map.hpp"
#include "node_table.hpp"

namespace idshift::fusell {

// One FUSE open of a file: its own open file description in the daemon, so that flock() and
// file offsets behave per open as they do natively.
struct FileHandle {
    std::shared_ptr<Node> node;
    sys::UniqueFd fd;
    int flags = 0;  // as the backing file was opened
};

// One FUSE opendir: the open directory and where readdir left off in it.
struct DirHandle {
    std::shared_ptr<Node> node;
    sys::UniqueFd fd;

    // Guards the cursor below (readdir of one handle may run in parallel). readdirplus holds it
    // while it looks entries up, so it is taken before node-table and fd-cache shard mutexes,
    // never after them.
    std::mutex mutex;
    off_t position = 0;        // the offset of the next entry to hand out
    std::vector<char> buffer;  // getdents64 output not yet handed out: [cursor, end)
    std::size_t cursor = 0;
    std::size_t end = 0;
};

template <typename T>
class HandleTable {
  public:
    static constexpr std::size_t kShards = 16;

    std::uint64_t add(std::shared_ptr<T> handle) {
        const std::uint64_t id = next_.fetch_add(1, std::memory_order_relaxed);
        handles_.insert(id, std::move(handle));
        return id;
    }
    std::shared_ptr<T> find(std::uint64_t id) const { return handles_.find(id).value_or(nullptr); }
    // Removes the handle and gives it to the caller, who drops it (closing its fd) unlocked.
    std::shared_ptr<T> remove(std::uint64_t id) { return handles_.erase(id).value_or(nullptr); }
    std::size_t size() const { return handles_.size(); }

  private:
    std::atomic<std::uint64_t> next_{1};  // 0 is never handed out
    sys::ShardedMap<std::uint64_t, std::shared_ptr<T>, kShards> handles_;
};

}  // namespace idshift::fusell

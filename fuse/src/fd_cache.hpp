#pragma once
// A bounded cache of O_PATH fds for nodes that are reopened by handle. The kernel may remember
// millions of nodes while RLIMIT_NOFILE allows tens of thousands of fds, so nodes keep a handle
// and only recently used ones keep an fd, here.
//
// Entries are shared: an fd evicted while a request still uses it closes when that request lets
// go, never under it. So at most `capacity` fds are held by the cache, plus at most one per
// request in flight.
//
// Lock order: each shard's mutex is a leaf, held for list and map operations only; evicted fds
// are closed after it is released.
#include <fuse_lowlevel.h>

#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

#include "idshift/fusell/result.hpp"
#include "idshift/sys/files.hpp"
#include "posix_locks.hpp"

namespace idshift::fusell {

class FdCache {
  public:
    static constexpr std::size_t kMaxShards = 16;

    // capacity >= 1.
    explicit FdCache(std::size_t capacity);

    // The cached fd of node `id`, now the most recently used; null when not cached.
    SharedFd find(fuse_ino_t id);
    // Caches `fd` for node `id` and returns the cached entry: the one already there when a racing
    // request inserted first (then `fd` is closed). Evicts the least recently used beyond capacity.
    SharedFd insert(fuse_ino_t id, sys::UniqueFd fd);
    void erase(fuse_ino_t id);

    std::size_t size() const;
    std::size_t capacity() const noexcept { return per_shard_ * shards_.size(); }

  private:
    // Not a sys::ShardedMap: each shard is an LRU (a list plus an index into it) with a capacity
    // set at run time, and the number of shards too.
    struct Shard {
        mutable std::mutex mutex;
        std::list<std::pair<fuse_ino_t, SharedFd>> lru;  // most recently used first
        std::unordered_map<fuse_ino_t, std::list<std::pair<fuse_ino_t, SharedFd>>::iterator> index;
    };
    Shard& shard_for(fuse_ino_t id) noexcept;

    std::size_t per_shard_;
    std::vector<Shard> shards_;
};

}  // namespace idshift::fusell

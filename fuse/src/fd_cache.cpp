#include "fd_cache.hpp"

#include <algorithm>

namespace idshift::fusell {

FdCache::FdCache(std::size_t capacity)
    : per_shard_(0), shards_(std::clamp<std::size_t>(capacity, 1, kMaxShards)) {
    // Floor division: the shards together never hold more than `capacity`.
    per_shard_ = std::max<std::size_t>(1, capacity / shards_.size());
}

FdCache::Shard& FdCache::shard_for(fuse_ino_t id) noexcept {
    // Node ids carry their node-table shard in the low bits; skip them so that both spread.
    return shards_[(id >> 6) % shards_.size()];
}

SharedFd FdCache::find(fuse_ino_t id) {
    Shard& shard = shard_for(id);
    std::lock_guard lock(shard.mutex);
    auto it = shard.index.find(id);
    if (it == shard.index.end()) return nullptr;
    shard.lru.splice(shard.lru.begin(), shard.lru, it->second);
    return it->second->second;
}

SharedFd FdCache::insert(fuse_ino_t id, sys::UniqueFd fd) {
    auto fresh = std::make_shared<const sys::UniqueFd>(std::move(fd));
    std::vector<SharedFd> evicted;  // closed after the mutex is released
    Shard& shard = shard_for(id);
    std::lock_guard lock(shard.mutex);
    if (auto it = shard.index.find(id); it != shard.index.end()) {
        shard.lru.splice(shard.lru.begin(), shard.lru, it->second);
        evicted.push_back(std::move(fresh));
        return it->second->second;
    }
    shard.lru.emplace_front(id, fresh);
    shard.index.emplace(id, shard.lru.begin());
    while (shard.lru.size() > per_shard_) {
        evicted.push_back(std::move(shard.lru.back().second));
        shard.index.erase(shard.lru.back().first);
        shard.lru.pop_back();
    }
    return fresh;
}

void FdCache::erase(fuse_ino_t id) {
    SharedFd evicted;  // closed after the mutex is released
    Shard& shard = shard_for(id);
    std::lock_guard lock(shard.mutex);
    auto it = shard.index.find(id);
    if (it == shard.index.end()) return;
    evicted = std::move(it->second->second);
    shard.lru.erase(it->second);
    shard.index.erase(it);
}

std::size_t FdCache::size() const {
    std::size_t total = 0;
    for (const Shard& shard : shards_) {
        std::lock_guard lock(shard.mutex);
        total += shard.lru.size();
    }
    return total;
}

}  // namespace idshift::fusell

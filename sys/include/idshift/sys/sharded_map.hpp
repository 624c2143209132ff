#pragma once
// A hash map split into shards, each behind its own mutex, so that threads working on different
// keys rarely contend. The shard of a key is its value modulo Shards (keys are ids and pids, whose
// low bits spread well).
//
// Lock order: a shard's mutex is a leaf. It is held only while the map itself is read or changed:
// no callback of for_each or with_shard may make a syscall, take another lock or call back into
// the map. erase hands the removed value back, so that whatever it owns (an fd, a lease) is
// dropped by the caller after the mutex is released.
#include <array>
#include <cstddef>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <utility>

namespace idshift::sys {

template <typename Key, typename Value, std::size_t Shards>
class ShardedMap {
  public:
    using Map = std::unordered_map<Key, Value>;

    // Adds key → value unless key is there already; whether it was added.
    bool insert(const Key& key, Value value) {
        Shard& shard = shard_of(key);
        const std::lock_guard lock(shard.mutex);
        return shard.map.emplace(key, std::move(value)).second;
    }
    // Adds key → value, replacing (and handing back) what key had.
    std::optional<Value> insert_or_assign(const Key& key, Value value) {
        std::optional<Value> old;
        Shard& shard = shard_of(key);
        const std::lock_guard lock(shard.mutex);
        auto [it, added] = shard.map.try_emplace(key, std::move(value));
        if (!added) {
            old.emplace(std::move(it->second));
            it->second = std::move(value);
        }
        return old;
    }
    // A copy of key's value, if any.
    std::optional<Value> find(const Key& key) const {
        const Shard& shard = shard_of(key);
        const std::lock_guard lock(shard.mutex);
        const auto it = shard.map.find(key);
        if (it == shard.map.end()) return std::nullopt;
        return it->second;
    }
    // Removes key and hands its value back, to be dropped outside the lock.
    std::optional<Value> erase(const Key& key) {
        std::optional<Value> removed;
        Shard& shard = shard_of(key);
        const std::lock_guard lock(shard.mutex);
        const auto it = shard.map.find(key);
        if (it == shard.map.end()) return removed;
        removed.emplace(std::move(it->second));
        shard.map.erase(it);
        return removed;
    }
    // Runs fn(map) on key's shard under its mutex, for a read-modify-write the calls above cannot
    // express (a cache's own expiry rule). Returns what fn returns.
    template <typename Fn>
    decltype(auto) with_shard(const Key& key, Fn&& fn) {
        Shard& shard = shard_of(key);
        const std::lock_guard lock(shard.mutex);
        return std::forward<Fn>(fn)(shard.map);
    }
    // fn(key, value) for every entry, one shard at a time: entries added or removed meanwhile in
    // other shards may or may not be seen.
    template <typename Fn>
    void for_each(Fn&& fn) const {
        for (const Shard& shard : shards_) {
            const std::lock_guard lock(shard.mutex);
            for (const auto& [key, value] : shard.map)
                fn(key, value);
        }
    }
    // Entries in all shards, summed one shard at a time.
    std::size_t size() const {
        std::size_t total = 0;
        for (const Shard& shard : shards_) {
            const std::lock_guard lock(shard.mutex);
            total += shard.map.size();
        }
        return total;
    }

  private:
    struct alignas(64) Shard {  // a cache line each: shards do not false-share their mutexes
        mutable std::mutex mutex;
        Map map;
    };
    Shard& shard_of(const Key& key) noexcept {
        return shards_[static_cast<std::size_t>(key) % Shards];
    }
    const Shard& shard_of(const Key& key) const noexcept {
        return shards_[static_cast<std::size_t>(key) % Shards];
    }

    std::array<Shard, Shards> shards_;
};

}  // namespace idshift::sys

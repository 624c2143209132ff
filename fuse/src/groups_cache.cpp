#include "groups_cache.hpp"

namespace idshift::fusell {

GroupList GroupsCache::get(pid_t pid, uid_t uid, gid_t gid, Clock::time_point now,
                           const std::function<std::vector<gid_t>()>& load) {
    if (pid <= 0) return std::make_shared<const std::vector<gid_t>>(load());
    Shard& shard = shards_[static_cast<std::size_t>(pid) % kShards];
    {
        std::lock_guard lock(shard.mutex);
        auto it = shard.entries.find(pid);
        if (it != shard.entries.end() && it->second.uid == uid && it->second.gid == gid &&
            now - it->second.read_at < kTtl && now >= it->second.read_at) {
            return it->second.groups;
        }
    }
    auto groups = std::make_shared<const std::vector<gid_t>>(load());
    std::lock_guard lock(shard.mutex);
    if (shard.entries.size() >= kMaxPerShard) shard.entries.clear();
    shard.entries.insert_or_assign(pid, Entry{uid, gid, now, groups});
    return groups;
}

}  // namespace idshift::fusell

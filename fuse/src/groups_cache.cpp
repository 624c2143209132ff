#include "groups_cache.hpp"

namespace idshift::fusell {

GroupList GroupsCache::get(pid_t pid, uid_t uid, gid_t gid, Clock::time_point now,
                           const std::function<std::vector<gid_t>()>& load) {
    if (pid <= 0) return std::make_shared<const std::vector<gid_t>>(load());
    // The cache's own rules (same ids, within kTtl, a full shard starts over) are a
    // read-modify-write of one shard, so they run inside with_shard; load() runs unlocked.
    const auto fresh = [&](Entries& entries) -> GroupList {
        auto it = entries.find(pid);
        if (it != entries.end() && it->second.uid == uid && it->second.gid == gid &&
            now - it->second.read_at < kTtl && now >= it->second.read_at) {
            return it->second.groups;
        }
        return nullptr;
    };
    if (GroupList cached = entries_.with_shard(pid, fresh)) return cached;
    auto groups = std::make_shared<const std::vector<gid_t>>(load());
    entries_.with_shard(pid, [&](Entries& entries) {
        if (entries.size() >= kMaxPerShard) entries.clear();
        entries.insert_or_assign(pid, Entry{uid, gid, now, groups});
    });
    return groups;
}

}  // namespace idshift::fusell

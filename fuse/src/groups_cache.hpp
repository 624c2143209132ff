#pragma once
// The caller's supplementary groups, cached per pid. fuse_req_getgroups reads them from
// /proc/PID/task/PID/status, an open, read and close for every request; processes issue requests
// in bursts, so a short cache saves most of that.
//
// Invalidation rule: an entry serves a request only when the request's pid, uid and gid are the
// ones it was read for, and for at most kTtl after it was read. So a process that changes its
// supplementary groups (setgroups) but keeps its uid and gid is seen with the new list within kTtl,
// and a reused pid inherits a stale list only within kTtl and only with the same uid and gid. The
// kernel has by then already checked the request against the caller's real groups
// (default_permissions); the list only feeds the backing filesystem's own, second check.
#include <sys/types.h>

#include <chrono>
#include <functional>
#include <memory>
#include <vector>

#include "idshift/sys/sharded_map.hpp"

namespace idshift::fusell {

using GroupList = std::shared_ptr<const std::vector<gid_t>>;

class GroupsCache {
  public:
    using Clock = std::chrono::steady_clock;
    static constexpr Clock::duration kTtl = std::chrono::seconds(1);
    static constexpr std::size_t kShards = 16;
    static constexpr std::size_t kMaxPerShard = 256;  // a full shard starts over

    // The groups of (pid, uid, gid) at `now`: cached, or read with `load` (run without a lock).
    // pid 0 (a caller the kernel cannot name) is never cached.
    GroupList get(pid_t pid, uid_t uid, gid_t gid, Clock::time_point now,
                  const std::function<std::vector<gid_t>()>& load);

  private:
    struct Entry {
        uid_t uid;
        gid_t gid;
        Clock::time_point read_at;
        GroupList groups;
    };
    using Entries = sys::ShardedMap<pid_t, Entry, kShards>::Map;
    sys::ShardedMap<pid_t, Entry, kShards> entries_;  // each shard's mutex is a leaf
};

}  // namespace idshift::fusell

#include "request.hpp"

#include <algorithm>
#include <vector>

#include "fs_state.hpp"

namespace idshift::fusell {
namespace {

// fuse_req_getgroups reads /proc/PID/task/PID/status; it reports the full count when the list
// does not fit, and an error when the caller is gone or unknown (then: no groups).
std::vector<gid_t> read_groups(fuse_req_t req) {
    std::vector<gid_t> groups(32);
    int n = fuse_req_getgroups(req, static_cast<int>(groups.size()), groups.data());
    if (n > static_cast<int>(groups.size())) {
        groups.resize(static_cast<std::size_t>(n));
        n = fuse_req_getgroups(req, static_cast<int>(groups.size()), groups.data());
    }
    groups.resize(n > 0 ? std::min(static_cast<std::size_t>(n), groups.size()) : 0);
    return groups;
}

}  // namespace

Caller caller_of(fuse_req_t req, Filesystem& fs) {
    const fuse_ctx* ctx = fuse_req_ctx(req);
    if (ctx->uid == static_cast<uid_t>(-1) || ctx->gid == static_cast<gid_t>(-1)) {
        // FUSE_ALLOW_IDMAP withholds the caller's ids (see Caller::ids_withheld): no groups either.
        return fs.make_caller(ctx->uid, ctx->gid, ctx->pid, ctx->umask, {});
    }
    const GroupList groups =
        fs.state().groups.get(ctx->pid, ctx->uid, ctx->gid, GroupsCache::Clock::now(),
                              [req] { return read_groups(req); });
    return fs.make_caller(ctx->uid, ctx->gid, ctx->pid, ctx->umask, *groups);
}

}  // namespace idshift::fusell

#include "request.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "idshift/sys/unique_fd.hpp"

#include "fs_state.hpp"

namespace idshift::fusell {
namespace {

// The caller's supplementary groups from /proc/PID/task/PID/status (PID: the thread that made
// the request). Read here rather than with fuse_req_getgroups, which opens and reads the file
// twice when it is longer than 1 KiB, as it always is: here one open, one read (as a rule) and
// one close. A caller that is gone or unreadable has no groups.
std::vector<gid_t> read_groups(pid_t pid) {
    std::vector<gid_t> groups;
    if (pid <= 0) return groups;
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/task/%d/status", pid, pid);
    const sys::UniqueFd fd(::open(path, O_RDONLY | O_CLOEXEC));
    if (!fd) return groups;
    // The Groups line comes early, after about 300 bytes of a file of about 1.5 KiB, so one read
    // nearly always has it whole; a caller with thousands of groups needs more reads.
    std::string status;
    constexpr std::string_view kKey = "\nGroups:";
    std::size_t key = std::string::npos;
    std::size_t end = std::string::npos;
    for (;;) {
        const std::size_t have = status.size();
        status.resize(have + 4096);
        const ssize_t got = ::read(fd.get(), status.data() + have, 4096);
        status.resize(have + static_cast<std::size_t>(std::max<ssize_t>(got, 0)));
        if (key == std::string::npos) key = status.find(kKey);
        if (key != std::string::npos) end = status.find('\n', key + kKey.size());
        if (end != std::string::npos) break;
        if (got <= 0) return groups;  // no (whole) Groups line: better none than a partial list
    }
    std::string_view line =
        std::string_view(status).substr(key + kKey.size(), end - key - kKey.size());
    while (!line.empty()) {
        const std::size_t start = line.find_first_not_of(" \t");
        if (start == std::string_view::npos) break;
        line.remove_prefix(start);
        gid_t gid = 0;
        const auto [next, error] = std::from_chars(line.data(), line.data() + line.size(), gid);
        if (error != std::errc{}) break;
        groups.push_back(gid);
        line.remove_prefix(static_cast<std::size_t>(next - line.data()));
    }
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
                              [pid = ctx->pid] { return read_groups(pid); });
    return fs.make_caller(ctx->uid, ctx->gid, ctx->pid, ctx->umask, *groups);
}

}  // namespace idshift::fusell

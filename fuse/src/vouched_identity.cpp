#include "vouched_identity.hpp"

#include <boost/container/small_vector.hpp>

namespace idshift::fusell {
namespace {

// The rwx bits the storage applies to `who` on `st`: POSIX's owner, group or other class.
int granted(const struct stat& st, uid_t uid, gid_t gid) noexcept {
    if (uid == st.st_uid) return (st.st_mode >> 6) & 7;
    if (gid == st.st_gid) return (st.st_mode >> 3) & 7;
    return st.st_mode & 7;
}

bool satisfies(const AccessNeed& need, uid_t uid, gid_t gid) noexcept {
    const struct stat& st = *need.inode;
    if (need.owner_only && uid != st.st_uid) return false;
    if ((granted(st, uid, gid) & need.access) != need.access) return false;
    if (need.victim && (st.st_mode & S_ISVTX) && uid != st.st_uid && uid != need.victim->st_uid)
        return false;
    return true;
}

// An id that owns none of the inodes (nor is their group): a stranger to all of them. Counts down
// from the overflow id; never 0.
template <typename Owner>
unsigned stranger(std::span<const AccessNeed> needs, Owner owner_of) noexcept {
    for (unsigned id = idmap::kOverflowId; id > 0; --id) {
        bool taken = false;
        for (const AccessNeed& need : needs) {
            taken = taken || owner_of(*need.inode) == id ||
                    (need.victim && owner_of(*need.victim) == id);
        }
        if (!taken) return id;
    }
    return idmap::kOverflowId;
}

}  // namespace

std::optional<VouchedIdentity> vouched_identity(std::span<const AccessNeed> needs) noexcept {
    if (needs.empty()) return std::nullopt;
    const uid_t spare_uid = stranger(needs, [](const struct stat& st) { return st.st_uid; });
    const gid_t spare_gid = stranger(needs, [](const struct stat& st) { return st.st_gid; });
    // Candidates, most specific first: each inode's owner (with its group), a member of each
    // inode's group, then a stranger to all.
    boost::container::small_vector<std::pair<uid_t, gid_t>, 8> candidates;
    for (const AccessNeed& need : needs) {
        if (need.victim) candidates.emplace_back(need.victim->st_uid, need.victim->st_gid);
        candidates.emplace_back(need.inode->st_uid, need.inode->st_gid);
    }
    for (const AccessNeed& need : needs)
        candidates.emplace_back(spare_uid, need.inode->st_gid);
    candidates.emplace_back(spare_uid, spare_gid);
    for (const auto& [uid, gid] : candidates) {
        if (uid == 0) continue;  // never root: that is what the storage squashes
        bool all = true;
        for (const AccessNeed& need : needs)
            all = all && satisfies(need, uid, gid);
        if (all) return VouchedIdentity{idmap::StorageUid{uid}, idmap::StorageGid{gid}};
    }
    return std::nullopt;
}

}  // namespace idshift::fusell

// Filesystem::State::creds_for*: the credentials of a request on given inodes, vouched for by
// their modes when the kernel withheld the caller's ids (see vouched_identity.hpp).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>

#include "fs_state.hpp"
#include "vouched_identity.hpp"

namespace idshift::fusell {
namespace {

// Whether requests of `caller` on storage `dev` take a vouched identity at all. Only there is an
// inode stat'ed: every other request costs nothing more.
bool vouches(const Filesystem::State& s, const Caller& caller, dev_t dev) {
    return caller.ids_withheld && s.storage.find(dev).adaptation.vouch_withheld;
}

StorageCreds as_vouched(const Filesystem::State& s, const Caller& caller,
                        std::span<const AccessNeed> needs) {
    const auto who = vouched_identity(needs);
    if (!who) return s.creds(caller);  // no class grants it: the daemon, and the storage decides
    StorageCreds creds;
    creds.uid = who->uid;
    creds.gid = who->gid;
    return creds;
}

// A sticky directory's entry `name`, when removing it needs its owner; false otherwise.
bool sticky_victim(int dir_fd, const struct stat& dir, const char* name, struct stat& victim) {
    return (dir.st_mode & S_ISVTX) && ::fstatat(dir_fd, name, &victim, AT_SYMLINK_NOFOLLOW) == 0;
}

}  // namespace

StorageCreds Filesystem::State::creds_for(const Caller& caller, const Node& node, int fd,
                                          int access, bool owner_only) const {
    if (!vouches(*this, caller, node.key().dev)) return creds(caller);
    struct stat st {};
    if (::fstat(fd, &st) != 0) return creds(caller);
    const AccessNeed need{&st, access, nullptr, owner_only};
    return as_vouched(*this, caller, {&need, 1});
}

StorageCreds Filesystem::State::creds_for_removal(const Caller& caller, const NodeFd& dir,
                                                  const char* name) const {
    if (!vouches(*this, caller, dir.node->key().dev)) return creds(caller);
    struct stat st {};
    if (::fstat(dir.get(), &st) != 0) return creds(caller);
    struct stat victim {};
    const bool sticky = sticky_victim(dir.get(), st, name, victim);
    const AccessNeed need{&st, W_OK | X_OK, sticky ? &victim : nullptr};
    return as_vouched(*this, caller, {&need, 1});
}

StorageCreds Filesystem::State::creds_for_rename(const Caller& caller, const NodeFd& from,
                                                 const char* from_name, const NodeFd& to,
                                                 const char* to_name) const {
    if (!vouches(*this, caller, from.node->key().dev)) return creds(caller);
    std::array<struct stat, 4> st{};
    if (::fstat(from.get(), &st[0]) != 0 || ::fstat(to.get(), &st[1]) != 0) return creds(caller);
    const bool from_sticky = sticky_victim(from.get(), st[0], from_name, st[2]);
    const bool to_sticky = sticky_victim(to.get(), st[1], to_name, st[3]);
    const std::array<AccessNeed, 2> needs{
        AccessNeed{&st[0], W_OK | X_OK, from_sticky ? &st[2] : nullptr},
        AccessNeed{&st[1], W_OK | X_OK, to_sticky ? &st[3] : nullptr}};
    return as_vouched(*this, caller, needs);
}

}  // namespace idshift::fusell

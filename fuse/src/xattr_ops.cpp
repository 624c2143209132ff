// setxattr, getxattr, listxattr, removexattr. Extended attributes go through the node's magic
// link (/proc/self/fd/N), which reaches the inode itself: an O_PATH fd has no f*xattr calls.
// ACLs and security.capability carry ids and are translated on the way in and out.
#include <sys/xattr.h>

#include <spdlog/spdlog.h>

#include <cstring>

#include "fs_state.hpp"
#include "idshift/idmap/acl_xattr.hpp"
#include "idshift/idmap/fcaps_xattr.hpp"
#include "idshift/sys/errno.hpp"

namespace idshift::fusell {
namespace {

// Whose credentials an xattr request on `name` runs with. Without the caller's ids
// (FUSE_ALLOW_IDMAP) the kernel has checked it: a user.* attribute is a reader's or a writer's, an
// ACL the owner's to change. Others (security.*, trusted.*) need the storage's privileges.
StorageCreds xattr_creds(const Filesystem::State& s, const Caller& caller, const NodeFd& node,
                         std::string_view name, bool write) {
    const bool user = name.starts_with("user.") || name.empty();  // empty: listxattr
    if (!user && !idmap::is_acl_xattr(name)) return s.creds(caller);
    const int access = !user ? 0 : write ? W_OK : name.empty() ? 0 : R_OK;
    return s.creds_for(caller, *node.node, node.get(), access, !user && write);
}

// Runs `read_into(path, buffer, room)` (getxattr or listxattr of the node's magic link) as the
// caller: with a size of 0 only the length it reports, else the bytes.
template <typename Read>
Result<XattrReply> read_as_caller(Filesystem::State& s, const Caller& caller, fuse_ino_t ino,
                                  std::string_view name, std::size_t size, Read&& read_into) {
    auto node = s.resolve(ino);
    if (!node) return Errno{node.error()};
    CredsGuard guard(xattr_creds(s, caller, *node, name, false));
    if (guard.error() != 0) return Errno{guard.error()};
    const sys::ProcFdPath path(node->get());
    XattrReply reply;
    reply.data.resize(size);
    const ssize_t n = read_into(path.c_str(), size == 0 ? nullptr : reply.data.data(), size);
    if (n < 0) return sys::last_error();
    reply.size = static_cast<std::size_t>(n);
    reply.data.resize(size == 0 ? 0 : reply.size);
    return reply;
}

bool carries_ids(std::string_view name) noexcept {
    return idmap::is_acl_xattr(name) || idmap::is_fcaps_xattr(name);
}

}  // namespace

int Filesystem::setxattr(const Caller& caller, fuse_ino_t ino, std::string_view name,
                         std::span<const char> value, int flags) {
    State& s = *state_;
    const std::string attr_name(name);
    std::vector<char> stored(value.begin(), value.end());
    if (carries_ids(name)) {
        const idmap::XattrTranslation in = s.xattr_to_storage(name, stored, *caller.map);
        if (in.error != 0) return s.refuse_xattr(caller, ino, name, in);
    }
    auto node = s.resolve(ino);
    if (!node) return node.error();
    CredsGuard guard(xattr_creds(s, caller, *node, name, true));
    if (guard.error() != 0) return guard.error();
    const sys::ProcFdPath path(node->get());
    return ::setxattr(path.c_str(), attr_name.c_str(), stored.data(), stored.size(), flags) == 0
               ? 0
               : errno;
}

Result<XattrReply> Filesystem::getxattr(const Caller& caller, fuse_ino_t ino, std::string_view name,
                                        std::size_t size) {
    const std::string attr_name(name);
    auto value = read_as_caller(*state_, caller, ino, name, size,
                                [&](const char* path, char* buf, std::size_t room) {
                                    return ::getxattr(path, attr_name.c_str(), buf, room);
                                });
    // A storage without ACLs below a mount that negotiated them (a submount): the kernel asks
    // for ACLs in its permission checks and accepts only ENODATA as "none" (see storage/).
    if (!value && value.error() == EOPNOTSUPP && idmap::is_acl_xattr(name) &&
        state_->acls_negotiated.load(std::memory_order_relaxed)) {
        state_->stats.adapted(Adapted::acl_answered_enodata);
        return Errno{ENODATA};
    }
    // With a size of 0 only the length was asked for: translation never changes it.
    if (!value || size == 0) return value;
    if (int e = state_->xattr_to_mount(name, value->data, *caller.map)) {
        if (e == EINVAL) {
            spdlog::warn("node {}: malformed {} on the backing file", ino, attr_name);
            return Errno{EIO};
        }
        return Errno{e};
    }
    return value;
}

Result<XattrReply> Filesystem::listxattr(const Caller& caller, fuse_ino_t ino, std::size_t size) {
    return read_as_caller(
        *state_, caller, ino, {}, size,
        [](const char* path, char* buf, std::size_t room) { return ::listxattr(path, buf, room); });
}

int Filesystem::removexattr(const Caller& caller, fuse_ino_t ino, std::string_view name) {
    State& s = *state_;
    const std::string attr_name(name);
    auto node = s.resolve(ino);
    if (!node) return node.error();
    CredsGuard guard(xattr_creds(s, caller, *node, name, true));
    if (guard.error() != 0) return guard.error();
    const sys::ProcFdPath path(node->get());
    return sys::errno_of(::removexattr(path.c_str(), attr_name.c_str()));
}

}  // namespace idshift::fusell

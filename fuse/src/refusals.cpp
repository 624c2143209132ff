// Writes that idshift itself refuses because the map cannot express an id (unmapped-write deny):
// each is counted in the unmapped-id table and logged, rate limited, naming the caller, where it
// happened and why. Errors from the backing filesystem (EPERM, EACCES, ...) are not refusals and
// never come here.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <array>
#include <cstddef>
#include <string>

#include "fs_state.hpp"
#include "idshift/fusell/stats_render.hpp"
#include "idshift/idmap/acl_xattr.hpp"
#include "idshift/idmap/fcaps_xattr.hpp"

namespace idshift::fusell {
namespace {

using idmap::raw;

// linux/posix_acl_xattr.h: a le32 version, then {le16 tag, le16 perm, le32 id} entries; only
// ACL_USER and ACL_GROUP entries carry an id. linux/capability.h: revision 3 ends in a le32 rootid.
constexpr std::size_t kAclHeaderSize = 4;
constexpr std::size_t kAclEntrySize = 8;
constexpr unsigned kAclUser = 0x02;
constexpr unsigned kAclGroup = 0x08;
constexpr std::size_t kFcapsV3Size = 24;
constexpr std::size_t kFcapsRootidOffset = 20;
constexpr std::uint32_t kFcapsRevisionMask = 0xFF000000u;
constexpr std::uint32_t kFcapsRevision3 = 0x03000000u;

std::uint32_t load_le(std::span<const char> bytes, std::size_t offset, std::size_t width) {
    std::uint32_t value = 0;
    for (std::size_t i = width; i-- > 0;)
        value = (value << 8) | static_cast<unsigned char>(bytes[offset + i]);
    return value;
}

// The first id in a well-formed ACL that the map cannot express for a write.
std::optional<Filesystem::State::RefusedId> unmapped_acl_id(std::span<const char> acl,
                                                            const idmap::IdMap& map) {
    if (idmap::validate_acl(std::as_bytes(acl)) != 0) return std::nullopt;
    for (std::size_t at = kAclHeaderSize; at + kAclEntrySize <= acl.size(); at += kAclEntrySize) {
        const std::uint32_t tag = load_le(acl, at, 2);
        const std::uint32_t id = load_le(acl, at + 4, 4);
        if (tag == kAclUser && !map.to_storage_for_write(idmap::MountUid{id})) {
            return Filesystem::State::RefusedId{idmap::Kind::uid, id, "ACL entry"};
        }
        if (tag == kAclGroup && !map.to_storage_for_write(idmap::MountGid{id})) {
            return Filesystem::State::RefusedId{idmap::Kind::gid, id, "ACL entry"};
        }
    }
    return std::nullopt;
}

std::optional<Filesystem::State::RefusedId> unmapped_fcaps_rootid(std::span<const char> caps,
                                                                  const idmap::IdMap& map) {
    if (caps.size() != kFcapsV3Size) return std::nullopt;
    if ((load_le(caps, 0, 4) & kFcapsRevisionMask) != kFcapsRevision3) return std::nullopt;
    const std::uint32_t rootid = load_le(caps, kFcapsRootidOffset, 4);
    if (map.to_storage_for_write(idmap::MountUid{rootid})) return std::nullopt;
    return Filesystem::State::RefusedId{idmap::Kind::uid, rootid, "file capability root"};
}

// The backing path of `fd` (plus "/name"), as the kernel tracks it, or "" when unknown.
std::string backing_path(int fd, std::string_view name) {
    std::array<char, 4096> target{};
    const std::string link = "/proc/self/fd/" + std::to_string(fd);
    const ssize_t n = ::readlink(link.c_str(), target.data(), target.size());
    if (n <= 0 || static_cast<std::size_t>(n) >= target.size() || target[0] != '/') return {};
    std::string path(target.data(), static_cast<std::size_t>(n));
    if (!name.empty()) {
        if (path != "/") path += '/';
        path += name;
    }
    return path;
}

}  // namespace

int Filesystem::State::refuse(const Caller& caller, const char* op, fuse_ino_t node,
                              std::string_view name, const RefusedId& refused, int error) noexcept {
    stats.unmapped(refused.kind, Direction::write, refused.id);
    const RefusalLog::Admission admission = refusal_log.admit();
    if (admission.suppressed != 0) {
        spdlog::warn("{} more refused operations not logged", admission.suppressed);
    }
    if (!admission.write) return error;
    try {
        std::string place;
        if (auto resolved = resolve(node)) place = backing_path(resolved->get(), name);
        place = place.empty() ? fmt::format("node {} name \"{}\" (path unknown)", node, name)
                              : "backing path " + place;
        const char* kind = refused.kind == idmap::Kind::uid ? "uid" : "gid";
        spdlog::warn(
            "refused {} by pid {} uid {} at {}: {} {} {} has no storage id "
            "(unmapped-write deny): {}",
            op, caller.pid, raw(caller.uid), place, refused.what, kind, refused.id,
            errno_name(error));
    } catch (...) {
        // Out of memory while describing it: the refusal stands, unlogged.
    }
    return error;
}

int Filesystem::State::refuse_xattr(const Caller& caller, fuse_ino_t node, std::string_view name,
                                    std::span<const char> value, int error) noexcept {
    std::optional<RefusedId> refused;
    if (idmap::is_acl_xattr(name)) refused = unmapped_acl_id(value, *caller.map);
    if (idmap::is_fcaps_xattr(name)) refused = unmapped_fcaps_rootid(value, *caller.map);
    if (!refused) return error;  // malformed: not a refusal of an id
    return refuse(caller, "setxattr", node, {}, *refused, error);
}

void Filesystem::State::flush_refusal_log() noexcept {
    if (const std::uint64_t held_back = refusal_log.take_suppressed()) {
        spdlog::warn("{} more refused operations not logged", held_back);
    }
}

}  // namespace idshift::fusell

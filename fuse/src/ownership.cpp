// Where ids cross the map in the FUSE backend, in both directions: who a caller is on the storage
// side (caller construction, credentials), ids out (stat and ACL/capability reads, storage →
// mount) and ids in (chown targets, ACL/capability writes, mount → storage). The unmapped policies
// are applied only by idmap; what is counted here is counted the same way for every read.
#include <cerrno>

#include "fs_state.hpp"
#include "idshift/idmap/acl_xattr.hpp"
#include "idshift/idmap/fcaps_xattr.hpp"

namespace idshift::fusell {
namespace {

using idmap::raw;

// Counts each storage id that reads through the unmapped_read policy.
class CountedReads final : public idmap::UnmappedReads {
  public:
    explicit CountedReads(Stats& stats) noexcept : stats_(stats) {}
    void unmapped_read(idmap::Kind kind, std::uint32_t storage_id) noexcept override {
        stats_.unmapped(kind, Direction::read, storage_id);
    }

  private:
    Stats& stats_;
};

std::span<std::byte> as_bytes(std::vector<char>& data) noexcept {
    return {reinterpret_cast<std::byte*>(data.data()), data.size()};
}

// new_owner for either kind: the typed id in, its raw storage id out for fchownat.
template <typename MountId>
Result<std::uint32_t> storage_owner(Filesystem::State& s, const Caller& caller, fuse_ino_t ino,
                                    std::optional<MountId> wanted, idmap::Kind kind,
                                    const char* what) noexcept {
    if (!wanted) return idmap::kInvalidId;
    auto mapped = caller.map->to_storage_for_write(*wanted);
    if (!mapped) {
        return Errno{s.refuse(caller, "setattr", ino, {}, {kind, raw(*wanted), what}, EOVERFLOW)};
    }
    return raw(*mapped);
}

}  // namespace

Caller Filesystem::make_caller(uid_t uid, gid_t gid, pid_t pid, mode_t umask,
                               std::span<const gid_t> groups) const {
    Caller caller;
    caller.uid = idmap::MountUid{uid};
    caller.gid = idmap::MountGid{gid};
    caller.pid = pid;
    caller.umask = umask;
    caller.ids_withheld = uid == static_cast<uid_t>(-1) || gid == static_cast<gid_t>(-1);
    caller.map = state_->maps.snapshot();
    caller.storage_uid = caller.map->to_storage_for_write(caller.uid);
    caller.storage_gid = caller.map->to_storage_for_write(caller.gid);
    for (gid_t group : groups) {
        if (auto mapped = caller.map->find_storage(idmap::MountGid{group})) {
            caller.storage_groups.push_back(*mapped);
        }
    }
    return caller;
}

StorageCreds Filesystem::State::creds(const Caller& caller) const noexcept {
    StorageCreds creds;
    if (caller.ids_withheld) {  // the daemon's own: storage root, capabilities kept
        creds.uid = idmap::StorageUid{0};
        creds.gid = idmap::StorageGid{0};
        creds.privileged = true;
        return creds;
    }
    // An unmapped caller keeps StorageCreds' overflow ids.
    if (caller.storage_uid) creds.uid = *caller.storage_uid;
    if (caller.storage_gid) creds.gid = *caller.storage_gid;
    creds.groups = {caller.storage_groups.data(), caller.storage_groups.size()};
    creds.privileged = raw(caller.uid) == 0 && caller.storage_uid.has_value();
    return creds;
}

int Filesystem::State::check_can_create(const Caller& caller, const char* op, fuse_ino_t parent,
                                        std::string_view name) noexcept {
    // Only link comes without ids among the operations that make names; it keeps its owner.
    if (caller.ids_withheld) return 0;
    if (!caller.storage_uid) {
        return refuse(caller, op, parent, name, {idmap::Kind::uid, raw(caller.uid), "caller"},
                      EOVERFLOW);
    }
    if (!caller.storage_gid) {
        return refuse(caller, op, parent, name, {idmap::Kind::gid, raw(caller.gid), "caller"},
                      EOVERFLOW);
    }
    return 0;
}

struct stat Filesystem::State::to_mount(struct stat attr, const idmap::IdMap& map) noexcept {
    CountedReads seen(stats);
    attr.st_uid = raw(map.to_mount(idmap::StorageUid{attr.st_uid}, &seen));
    attr.st_gid = raw(map.to_mount(idmap::StorageGid{attr.st_gid}, &seen));
    return attr;
}

int Filesystem::State::xattr_to_mount(std::string_view name, std::vector<char>& value,
                                      const idmap::IdMap& map) noexcept {
    CountedReads seen(stats);
    if (idmap::is_acl_xattr(name)) return idmap::acl_to_mount(as_bytes(value), map, &seen);
    if (idmap::is_fcaps_xattr(name)) return idmap::fcaps_to_mount(as_bytes(value), map);
    return 0;
}

idmap::XattrTranslation Filesystem::State::xattr_to_storage(std::string_view name,
                                                            std::vector<char>& value,
                                                            const idmap::IdMap& map) noexcept {
    if (idmap::is_acl_xattr(name)) return idmap::acl_to_storage(as_bytes(value), map);
    if (idmap::is_fcaps_xattr(name)) return idmap::fcaps_to_storage(as_bytes(value), map);
    return {};
}

Result<std::uint32_t> Filesystem::State::new_owner(const Caller& caller, fuse_ino_t ino,
                                                   std::optional<idmap::MountUid> wanted) noexcept {
    return storage_owner(*this, caller, ino, wanted, idmap::Kind::uid, "new owner");
}

Result<std::uint32_t> Filesystem::State::new_owner(const Caller& caller, fuse_ino_t ino,
                                                   std::optional<idmap::MountGid> wanted) noexcept {
    return storage_owner(*this, caller, ino, wanted, idmap::Kind::gid, "new group");
}

}  // namespace idshift::fusell

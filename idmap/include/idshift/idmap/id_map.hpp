#pragma once
// The whole map of one volume: uids and gids in both directions plus the unmapped policies.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "idshift/idmap/ids.hpp"
#include "idshift/idmap/range_map.hpp"

namespace idshift::idmap {

// What a write of an id the map cannot express gets.
enum class UnmappedWrite {
    deny,    // refused: EOVERFLOW for create/chown, EINVAL for an ACL entry (as idmapped mounts do)
    squash,  // stored as the configured squash ids (storage side)
};

struct Policy {
    // What a storage id that no rule covers reads as (mount side).
    std::uint32_t unmapped_read_uid = kOverflowId;
    std::uint32_t unmapped_read_gid = kOverflowId;
    UnmappedWrite unmapped_write = UnmappedWrite::deny;
    // Storage-side ids used by UnmappedWrite::squash.
    std::uint32_t squash_uid = kOverflowId;
    std::uint32_t squash_gid = kOverflowId;
    friend bool operator==(const Policy&, const Policy&) = default;
};

// Where a rule came from, for `idshift check` and for error messages.
struct RuleOrigin {
    Kind kind = Kind::uid;
    Extent extent;
    std::string file;
    int line = 0;
    std::string text;  // how the rule was written, e.g. "uid 0 100000 65536" or "user app = alice"
};

// Immutable after construction; safe to read from any number of threads.
class IdMap {
  public:
    IdMap() = default;
    IdMap(RangeMap uids, RangeMap gids, Policy policy, std::vector<RuleOrigin> origins = {});

    // storage → mount, for reporting (stat, readdir, ACLs). Unmapped ids read as the policy's
    // unmapped_read id; never fails.
    MountUid to_mount(StorageUid id) const noexcept;
    MountGid to_mount(StorageGid id) const noexcept;

    // storage → mount without policy; nullopt when no rule covers the id.
    std::optional<MountUid> find_mount(StorageUid id) const noexcept;
    std::optional<MountGid> find_mount(StorageGid id) const noexcept;

    // mount → storage without policy; nullopt when no rule covers the id.
    std::optional<StorageUid> find_storage(MountUid id) const noexcept;
    std::optional<StorageGid> find_storage(MountGid id) const noexcept;

    // mount → storage for a write (new owner, chown, ACL entry, caller credentials): applies the
    // unmapped_write policy. nullopt means "deny"; the caller picks the errno (EOVERFLOW / EINVAL).
    // kInvalidId is never mapped and always yields nullopt.
    std::optional<StorageUid> to_storage_for_write(MountUid id) const noexcept;
    std::optional<StorageGid> to_storage_for_write(MountGid id) const noexcept;

    const RangeMap& uids() const noexcept { return uids_; }
    const RangeMap& gids() const noexcept { return gids_; }
    const Policy& policy() const noexcept { return policy_; }
    const std::vector<RuleOrigin>& origins() const noexcept { return origins_; }

  private:
    RangeMap uids_;
    RangeMap gids_;
    Policy policy_;
    std::vector<RuleOrigin> origins_;
};

}  // namespace idshift::idmap

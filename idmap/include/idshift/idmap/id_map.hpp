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

// Each id is typed by its side, so a squash id cannot be given where an unmapped_read id belongs.
struct Policy {
    // What a storage id that no rule covers reads as (mount side).
    MountUid unmapped_read_uid{kOverflowId};
    MountGid unmapped_read_gid{kOverflowId};
    UnmappedWrite unmapped_write = UnmappedWrite::deny;
    // Storage-side ids used by UnmappedWrite::squash.
    StorageUid squash_uid{kOverflowId};
    StorageGid squash_gid{kOverflowId};
    friend bool operator==(const Policy&, const Policy&) = default;
};

// Where a rule came from, for `idshift check` and for error messages.
struct RuleOrigin {
    Kind kind = Kind::uid;
    RuleExtent extent;  // typed by `kind` when the map is built
    std::string file;
    int line = 0;
    std::string text;  // how the rule was written, e.g. "uid 0 100000 65536" or "user app = alice"
};

// Told of each storage id that reads through the unmapped_read policy, so that whoever reports
// ids (stat, readdir, ACLs) can count them in one way. Called only on that cold path.
class UnmappedReads {
  public:
    virtual void unmapped_read(Kind kind, std::uint32_t storage_id) noexcept = 0;

  protected:
    ~UnmappedReads() = default;
};

// Immutable after construction; safe to read from any number of threads.
class IdMap {
  public:
    IdMap() = default;
    IdMap(UidRangeMap uids, GidRangeMap gids, Policy policy, std::vector<RuleOrigin> origins = {});

    // storage → mount, for reporting (stat, readdir, ACLs). Unmapped ids read as the policy's
    // unmapped_read id, and are told to `seen` when given; never fails.
    MountUid to_mount(StorageUid id, UnmappedReads* seen = nullptr) const noexcept;
    MountGid to_mount(StorageGid id, UnmappedReads* seen = nullptr) const noexcept;

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

    const UidRangeMap& uids() const noexcept { return uids_; }
    const GidRangeMap& gids() const noexcept { return gids_; }
    const Policy& policy() const noexcept { return policy_; }
    const std::vector<RuleOrigin>& origins() const noexcept { return origins_; }

  private:
    UidRangeMap uids_;
    GidRangeMap gids_;
    Policy policy_;
    std::vector<RuleOrigin> origins_;
};

}  // namespace idshift::idmap

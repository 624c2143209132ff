#pragma once
// The suites' own model of an idshift map: which mount-side ids correspond to which storage-side
// ids. It renders the map file the daemon loads and translates ids when a suite compares the
// native directory (mount-side ids) with the backing directory (storage-side ids).
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace idshift::robust {

// One rule, in the map file's order: mount-side first id, storage-side first id, count.
struct IdRange {
    std::uint32_t mount_first;
    std::uint32_t storage_first;
    std::uint32_t count;
};

// A uid/gid pair as one side sees it.
struct Owner {
    uid_t uid;
    gid_t gid;
    bool operator==(const Owner&) const = default;
};

class IdTable {
  public:
    IdTable(std::vector<IdRange> uids, std::vector<IdRange> gids);

    // The table every suite mounts with unless it says otherwise: uid/gid 0 -> 0, and
    // 1000..1099 -> 2000..2099 (so a caller's files land under a different id on storage).
    static IdTable standard();
    // 0 -> 0 and 1000..1099 -> 3000..3099: the table the reload suite switches to.
    static IdTable shifted_to_3000();
    // Every id maps to itself: the view a plain directory gives (used with --target native).
    static IdTable identity();

    // Mount side -> storage side. An id no rule covers has no storage id; the suites only
    // use mapped ids in that direction, so this returns kUnmapped and the caller reports it.
    Owner to_storage(Owner mount_side) const;
    // Storage side -> mount side. An id no rule covers reads as the overflow id 65534.
    Owner to_mount(Owner storage_side) const;

    // The map file text the daemon is started with.
    std::string map_file_text() const;
    // bindfs's equivalent "--map=" argument for the ids the suites use (bindfs has no ranges).
    std::string bindfs_map_argument() const;

    static constexpr std::uint32_t kUnmapped = 4294967295U;
    static constexpr std::uint32_t kOverflowId = 65534;

  private:
    std::vector<IdRange> uids_;
    std::vector<IdRange> gids_;
    bool identity_ = false;
};

}  // namespace idshift::robust

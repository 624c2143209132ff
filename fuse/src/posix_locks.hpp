#pragma once
// POSIX record locks of one node, forwarded to the backing file as open file description (OFD)
// locks: one OFD per lock owner. Two owners then conflict with each other and one owner's locks
// merge and split, exactly as POSIX locks of two processes would; a single shared fd would
// collapse every caller into one owner instead.
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "idshift/fusell/result.hpp"
#include "idshift/sys/files.hpp"

namespace idshift::fusell {

using SharedFd = std::shared_ptr<const sys::UniqueFd>;

class PosixLockOwners {
  public:
    // The OFD of `owner`, made with `open` when the owner has none yet. `open` runs without the
    // mutex held. `pid` is the process taking the lock, reported to F_GETLK callers that the
    // owner's locks block.
    Result<SharedFd> get_or_open(std::uint64_t owner, pid_t pid,
                                 const std::function<Result<sys::UniqueFd>()>& open);
    // The owner's OFD, or null.
    SharedFd find(std::uint64_t owner) const;

    struct Holder {
        pid_t pid;
        SharedFd fd;
    };
    // Every owner but `owner`, for finding which one holds a lock.
    std::vector<Holder> others(std::uint64_t owner) const;
    // Closes the owner's OFD, which releases every lock it holds on the node (POSIX: any close()
    // of the file by the owner does that; the kernel tells us through FLUSH).
    void drop(std::uint64_t owner) noexcept;

    // One more / one fewer FUSE open of the node. When the last open goes away every owner's OFD
    // is closed, so no lock outlives the files it was taken through.
    void note_open() noexcept;
    void note_release() noexcept;
    std::size_t owner_count() const;

  private:
    mutable std::mutex mutex_;  // leaf lock: nothing else is locked while it is held
    std::uint32_t opens_ = 0;
    std::unordered_map<std::uint64_t, Holder> owners_;
};

}  // namespace idshift::fusell

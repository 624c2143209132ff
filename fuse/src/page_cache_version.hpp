#pragma once
// With cache=auto, whether a file's kernel page cache may survive a new open of it: only when the
// file has not changed since its previous open through this mount. The test is the file's ctime,
// which every change of its data moves (write, truncate; utimensat too, since it changes the
// mtime) and which nobody can set. That is close-to-open consistency as NFS clients keep it, and
// it spares a re-read of every page on each open of a file that nobody changed.
//
// A coarse clock could hide a change made in the same tick as the recorded one (SFTP reports whole
// seconds). So a ctime less than kRacyWindow old when recorded is never trusted: a file changed
// that recently is re-read on its next open, as cache=none would.
#include <sys/stat.h>
#include <time.h>

#include <atomic>
#include <cstdint>

namespace idshift::fusell {

class PageCacheVersion {
  public:
    static constexpr std::int64_t kRacyWindowNs = 2'000'000'000;

    // Records the version `st` shows at an open (at wall-clock time `now`, from the same clock
    // the storage stamps ctimes with) and says whether the page cache may be kept: the previous
    // open recorded the very same version, and that version was not too recent to trust.
    bool reopened(const struct stat& st, const timespec& now) noexcept {
        const std::int64_t ctime = to_ns(st.st_ctim);
        const bool settled = to_ns(now) - ctime >= kRacyWindowNs;
        const std::uint64_t seen = settled ? encode(ctime) : kUntrusted;
        const std::uint64_t before = recorded_.exchange(seen, std::memory_order_acq_rel);
        return settled && before == seen;
    }

  private:
    // 0 is "no version worth trusting"; a real ctime is stored with its top bit set, so that a
    // ctime of 0 (the epoch, or a storage that reports none) is a version like any other.
    static constexpr std::uint64_t kUntrusted = 0;
    static std::int64_t to_ns(const timespec& t) noexcept {
        return static_cast<std::int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
    }
    static std::uint64_t encode(std::int64_t ctime_ns) noexcept {
        return static_cast<std::uint64_t>(ctime_ns) | (std::uint64_t{1} << 63);
    }
    std::atomic<std::uint64_t> recorded_{kUntrusted};
};

}  // namespace idshift::fusell

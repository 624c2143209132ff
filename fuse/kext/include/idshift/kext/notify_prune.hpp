#pragma once
// FUSE_NOTIFY_PRUNE, which libfuse 3.14 cannot send: asks the kernel to drop the inodes of
// `nodeids` that nothing uses. The kernel then FORGETs them, as it would under memory pressure.
#include <cstdint>
#include <span>

namespace idshift::fusell::kext {

// The most nodeids one notification carries; notify_prune sends several when given more.
inline constexpr std::size_t kPruneBatch = 256;

// Writes the notification(s) to `dev_fd` (the session's /dev/fuse fd). Returns 0, or -errno of
// the first write that failed: -EINVAL from a kernel without FUSE_NOTIFY_PRUNE.
int notify_prune(int dev_fd, std::span<const std::uint64_t> nodeids) noexcept;

}  // namespace idshift::fusell::kext

#include "idshift/kext/notify_prune.hpp"

#include <sys/uio.h>

#include <algorithm>
#include <cerrno>

#include "idshift/kext/wire.hpp"

namespace idshift::fusell::kext {

int notify_prune(int dev_fd, std::span<const std::uint64_t> nodeids) noexcept {
    for (std::size_t start = 0; start < nodeids.size(); start += kPruneBatch) {
        const std::size_t count = std::min(kPruneBatch, nodeids.size() - start);
        wire::NotifyPruneOut body{static_cast<std::uint32_t>(count), 0, 0};
        const std::size_t ids_bytes = count * sizeof(std::uint64_t);
        fuse_out_header header{};
        header.len = static_cast<std::uint32_t>(sizeof header + sizeof body + ids_bytes);
        header.error = wire::kNotifyPrune;  // a notification: the code in error, unique 0
        header.unique = 0;
        iovec parts[3] = {
            {&header, sizeof header},
            {&body, sizeof body},
            {const_cast<std::uint64_t*>(nodeids.data() + start), ids_bytes},
        };
        if (::writev(dev_fd, parts, 3) < 0) return -errno;
    }
    return 0;
}

}  // namespace idshift::fusell::kext

#pragma once
// name_to_handle_at / open_by_handle_at around InodeHandle.
#include "idshift/fusell/result.hpp"
#include "idshift/sys/files.hpp"
#include "node_table.hpp"

namespace idshift::fusell {

// The handle of the inode behind `fd`. An empty handle (no error) when the filesystem gives none
// (EOPNOTSUPP: FUSE filesystems such as sshfs, some network filesystems): such nodes keep an fd.
Result<InodeHandle> handle_of(int fd) noexcept;

// An O_PATH fd on the inode of `handle`, through an fd on its mount. Needs CAP_DAC_READ_SEARCH.
// ESTALE when the inode no longer exists.
Result<sys::UniqueFd> open_handle(int mount_fd, const InodeHandle& handle) noexcept;

}  // namespace idshift::fusell

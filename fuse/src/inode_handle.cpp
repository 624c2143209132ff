#include "inode_handle.hpp"

#include <fcntl.h>

#include <cerrno>
#include <cstring>
#include <new>

namespace idshift::fusell {
namespace {

// struct file_handle ends in a flexible array: give it room for the largest handle.
struct HandleBuffer {
    alignas(struct file_handle) unsigned char bytes[sizeof(struct file_handle) + MAX_HANDLE_SZ];
    struct file_handle* get() noexcept {
        return reinterpret_cast<struct file_handle*>(bytes);
    }
};

}  // namespace

Result<InodeHandle> handle_of(int fd) noexcept {
    HandleBuffer buffer{};
    struct file_handle* fh = buffer.get();
    fh->handle_bytes = MAX_HANDLE_SZ;
    int mount_id = -1;
    if (::name_to_handle_at(fd, "", fh, &mount_id, AT_EMPTY_PATH) != 0) {
        if (errno == EOPNOTSUPP || errno == EOVERFLOW) return InodeHandle{};
        return sys::last_error();
    }
    try {
        InodeHandle handle;
        handle.type = fh->handle_type;
        handle.mount_id = mount_id;
        handle.bytes.assign(fh->f_handle, fh->f_handle + fh->handle_bytes);
        return handle;
    } catch (const std::bad_alloc&) {
        return Errno{ENOMEM};
    }
}

Result<sys::UniqueFd> open_handle(int mount_fd, const InodeHandle& handle) noexcept {
    if (handle.bytes.size() > MAX_HANDLE_SZ) return Errno{EINVAL};
    HandleBuffer buffer{};
    struct file_handle* fh = buffer.get();
    fh->handle_bytes = static_cast<unsigned>(handle.bytes.size());
    fh->handle_type = handle.type;
    std::memcpy(fh->f_handle, handle.bytes.data(), handle.bytes.size());
    const int fd = ::open_by_handle_at(mount_fd, fh, O_PATH | O_CLOEXEC);
    if (fd < 0) return sys::last_error();
    return sys::UniqueFd(fd);
}

}  // namespace idshift::fusell

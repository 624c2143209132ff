// mkdir, rmdir, opendir, readdir/readdirplus, releasedir, fsyncdir.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "fs_state.hpp"
#include "idshift/sys/errno.hpp"

namespace idshift::fusell {
namespace {

constexpr std::size_t kDirBufferSize = 32 * 1024;

bool is_dot_or_dotdot(const char* name) noexcept {
    return name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'));
}

}  // namespace

Result<fuse_entry_param> Filesystem::mkdir(const Caller& caller, fuse_ino_t parent,
                                           std::string_view name, mode_t mode) {
    return state_->make_as_caller(caller, "mkdir", parent, name, true,
                                  [mode](int dir_fd, const char* valid) {
                                      return sys::errno_of(::mkdirat(dir_fd, valid, mode));
                                  });
}

int Filesystem::rmdir(const Caller& caller, fuse_ino_t parent, std::string_view name) {
    return state_->remove_as_caller(caller, parent, name, AT_REMOVEDIR);
}

Result<std::uint64_t> Filesystem::opendir(const Caller& caller, fuse_ino_t ino) {
    State& s = *state_;
    auto node = s.resolve(ino);
    if (!node) return Errno{node.error()};
    auto handle = std::make_shared<DirHandle>();
    {
        CredsGuard guard(s.creds_for(caller, *node->node, node->get(), R_OK));
        if (guard.error() != 0) return Errno{guard.error()};
        auto fd = sys::reopen(node->get(), O_RDONLY | O_DIRECTORY);
        if (!fd) return Errno{s.note_fd_error(fd.error())};
        handle->fd = std::move(*fd);
    }
    handle->node = std::move(node->node);
    return s.dirs.add(std::move(handle));
}

Result<std::size_t> Filesystem::readdir(const Caller& caller, std::uint64_t fh, std::span<char> out,
                                        off_t offset, bool plus) {
    State& s = *state_;
    auto found = s.dir(fh);
    if (!found) return Errno{found.error()};
    DirHandle& d = **found;
    std::lock_guard lock(d.mutex);

    if (offset != d.position || d.buffer.empty()) {
        if (::lseek(d.fd.get(), offset, SEEK_SET) < 0) return sys::last_error();
        d.position = offset;
        d.cursor = d.end = 0;
        d.buffer.resize(kDirBufferSize);
    }
    // As the caller: a storage that judges each request (GlusterFS) wants read permission on the
    // directory for the listing itself, and readdirplus looks every entry up, so search
    // permission decides which entries come with attributes.
    CredsGuard guard(s.creds_for(caller, *d.node, d.fd.get(), plus ? R_OK | X_OK : R_OK));
    if (guard.error() != 0) return Errno{guard.error()};

    std::size_t used = 0;
    while (used < out.size()) {
        if (d.cursor == d.end) {
            // getdents64 fills the buffer with records laid out as struct dirent64.
            const ssize_t n = ::getdents64(d.fd.get(), d.buffer.data(), d.buffer.size());
            if (n < 0) {
                if (used > 0) break;  // hand out what we have; the error comes on the next call
                return sys::last_error();
            }
            if (n == 0) break;
            d.cursor = 0;
            d.end = static_cast<std::size_t>(n);
        }
        const auto* entry = reinterpret_cast<const struct dirent64*>(d.buffer.data() + d.cursor);
        const std::span<char> room = out.subspan(used);
        std::size_t size = 0;
        if (plus) {
            fuse_entry_param param{};
            auto name = Name::parse(entry->d_name);
            if (!is_dot_or_dotdot(entry->d_name) && name) {
                if (auto looked_up = s.entry_for(d.fd.get(), *name, *caller.map)) {
                    param = *looked_up;
                }
            }
            if (param.ino == 0) {  // no attributes: the kernel takes it as a plain entry
                param.attr.st_ino = entry->d_ino;
                param.attr.st_mode = static_cast<mode_t>(entry->d_type) << 12;
            }
            // libfuse's entry packers ignore their request argument: they only format bytes.
            size = fuse_add_direntry_plus(nullptr, room.data(), room.size(), entry->d_name, &param,
                                          entry->d_off);
            if (size > room.size() && param.ino != 0) forget(param.ino, 1);  // not handed out
        } else {
            struct stat attr {};
            attr.st_ino = entry->d_ino;
            attr.st_mode = static_cast<mode_t>(entry->d_type) << 12;
            size = fuse_add_direntry(nullptr, room.data(), room.size(), entry->d_name, &attr,
                                     entry->d_off);
        }
        if (size > room.size()) break;  // the entry stays buffered for the next call
        used += size;
        d.cursor += entry->d_reclen;
        d.position = entry->d_off;
    }
    return used;
}

void Filesystem::releasedir(std::uint64_t fh) noexcept {
    try {
        auto handle = state_->dirs.remove(fh);  // closes the directory as it goes
    } catch (...) {
    }
}

int Filesystem::fsyncdir(std::uint64_t fh, bool datasync) {
    auto dir = state_->dir(fh);
    if (!dir) return dir.error();
    const int fd = (*dir)->fd.get();
    return sys::errno_of(datasync ? ::fdatasync(fd) : ::fsync(fd));
}

}  // namespace idshift::fusell

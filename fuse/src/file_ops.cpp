// open, create, read, write_buf, flush, release, fsync, fallocate, copy_file_range, lseek.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <optional>

#include "fs_state.hpp"
#include "idshift/kext/fsetid_guard.hpp"
#include "idshift/sys/errno.hpp"

namespace idshift::fusell {
namespace {

constexpr std::size_t kAlignment = 4096;  // enough for O_DIRECT on every common device

// The name FUSE_TMPFILE arrives under as a CREATE (kext::tmpfile_as_create): no real CREATE can
// carry it, since a name from the kernel never contains '/'.
constexpr std::string_view kTmpfileName = "/";

bool wants_write(int flags) noexcept {
    return (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC) != 0;
}

// What open(2) with `flags` needs of the file: R_OK, W_OK or both.
int access_of(int flags) noexcept {
    const int mode = flags & O_ACCMODE;
    int access = mode == O_WRONLY ? W_OK : mode == O_RDWR ? R_OK | W_OK : R_OK;
    if (flags & O_TRUNC) access |= W_OK;
    return access;
}

// One buffer of `size` bytes (libfuse's FUSE_BUFVEC_INIT is a C compound literal).
fuse_bufvec single_buffer(std::size_t size) noexcept {
    fuse_bufvec vec{};
    vec.count = 1;
    vec.buf[0].size = size;
    vec.buf[0].fd = -1;
    return vec;
}

struct FreeDeleter {
    void operator()(char* p) const noexcept { std::free(p); }
};

bool has_setid_bits(int fd) noexcept {
    struct stat st {};
    return ::fstat(fd, &st) == 0 && (st.st_mode & (S_ISUID | S_ISGID)) != 0;
}

// Runs `op` (0 or an errno) on the open file `fd` so that the backing filesystem clears suid/sgid
// after it as it would natively for `writer`: as the writer's storage credentials (its groups
// decide whether set-group-ID without group execute stays) and without CAP_FSETID, unless
// `privileged_keeps` and the writer is root on the mount side. A file without either bit has
// nothing to clear: `op` then runs as the daemon, at the cost of one fstat.
template <typename Op>
int clearing_setid(Filesystem::State& s, int fd, const Caller& writer, bool privileged_keeps,
                   Op op) {
    if (!has_setid_bits(fd)) return op();
    const StorageCreds creds = s.creds(writer);
    CredsGuard guard(creds);
    if (guard.error() != 0) return guard.error();
    std::optional<kext::FsetidGuard> no_fsetid;
    if (!(privileged_keeps && creds.privileged)) no_fsetid.emplace();
    return op();
}

// cache=auto: whether the page cache of the file open on `fd` may survive this open (see
// page_cache_version.hpp). A file whose ctime cannot be read is re-read.
bool unchanged_since_last_open(Node& node, int fd) noexcept {
    if (!S_ISREG(node.type())) return false;
    struct stat st {};
    timespec now{};
    if (::fstat(fd, &st) != 0 || ::clock_gettime(CLOCK_REALTIME, &now) != 0) return false;
    return node.page_cache().reopened(st, now);
}

}  // namespace

// One buffer per worker thread, reused by every read it serves and grown to the largest: a read
// costs no allocation (libfuse 3.14's fd-backed reply, by contrast, mallocs per request). Aligned,
// so files opened with O_DIRECT read into it directly.
std::span<char> thread_read_buffer(std::size_t size) {
    thread_local std::unique_ptr<char, FreeDeleter> buffer;
    thread_local std::size_t capacity = 0;
    if (capacity < size) {
        const std::size_t rounded = (size + kAlignment - 1) / kAlignment * kAlignment;
        buffer.reset(static_cast<char*>(std::aligned_alloc(kAlignment, rounded)));
        capacity = buffer ? rounded : 0;
        if (!buffer) throw std::bad_alloc();
    }
    return {buffer.get(), size};
}

Result<OpenReply> Filesystem::open(const Caller& caller, fuse_ino_t ino, int flags,
                                   bool clear_setid) {
    State& s = *state_;
    if (s.options.read_only && wants_write(flags)) return Errno{EROFS};
    auto node = s.resolve(ino);
    if (!node) return Errno{node.error()};
    if (node->node->is_symlink()) return Errno{ELOOP};
    auto handle = std::make_shared<FileHandle>();
    {
        CredsGuard guard(s.creds_for(caller, *node->node, node->get(), access_of(flags)));
        if (guard.error() != 0) return Errno{guard.error()};
        std::optional<kext::FsetidGuard> no_fsetid;  // O_TRUNC clears suid/sgid without it
        if (clear_setid && (flags & O_TRUNC)) no_fsetid.emplace();
        auto fd = sys::reopen(node->get(), flags);
        if (!fd) return Errno{s.note_fd_error(fd.error())};
        handle->fd = std::move(*fd);
    }
    handle->flags = flags;
    handle->node = node->node;
    handle->node->posix_locks().note_open();
    const bool keep_cache =
        s.options.keep_cache() ||
        (s.options.cache == CacheMode::automatic &&
         s.storage.find(handle->node->key().dev).adaptation.keep_unchanged_cache &&
         unchanged_since_last_open(*handle->node, handle->fd.get()));
    OpenedFile file{ino, 0, handle->fd.get(), flags};
    file.fh = s.files.add(std::move(handle));
    return OpenReply{file.fh, file, keep_cache};
}

Result<CreateReply> Filesystem::create(const Caller& caller, fuse_ino_t parent,
                                       std::string_view name, mode_t mode, int flags,
                                       bool clear_setid) {
    State& s = *state_;
    if (s.options.read_only) return Errno{EROFS};
    // open(2) with O_TMPFILE: an unnamed inode in `parent`, which a later linkat() may name.
    const bool unnamed = name == kTmpfileName;
    std::optional<Name> valid;
    Result<NodeFd> dir = Errno{EIO};
    if (unnamed) {
        dir = s.prepare_unnamed(caller, parent);
    } else if (auto target = s.prepare_new_name(caller, "create", parent, name)) {
        valid = target->name;
        dir = std::move(target->dir);
    } else {
        return Errno{target.error()};
    }
    if (!dir) return Errno{dir.error()};
    auto handle = std::make_shared<FileHandle>();
    Result<fuse_entry_param> entry = Errno{EIO};
    // On storage that ignores the creator's ids the owner is set after the create, as the daemon.
    const dev_t dev = dir->node->key().dev;
    const bool owner_after = !unnamed && s.storage.find(dev).adaptation.owner_after_create;
    sys::UniqueFd made;
    {
        CredsGuard guard(s.creds(caller));
        if (guard.error() != 0) return Errno{guard.error()};
        UmaskGuard umask(caller.umask);
        if (umask.error() != 0) return Errno{umask.error()};
        std::optional<kext::FsetidGuard> no_fsetid;  // O_TRUNC of an existing file, as in open()
        if (clear_setid && (flags & O_TRUNC)) no_fsetid.emplace();
        // O_NOFOLLOW: without O_EXCL an existing symlink of that name would be followed. The
        // kernel passes O_TMPFILE on (O_EXCL with it means "never linkable", kept as well).
        auto fd =
            unnamed ? sys::open_at(dir->get(), ".", (flags & ~O_CREAT) | O_TMPFILE, mode)
                    : sys::open_at(dir->get(), valid->c_str(), flags | O_CREAT | O_NOFOLLOW, mode);
        if (!fd) return Errno{s.note_fd_error(fd.error())};
        handle->fd = std::move(*fd);
        // The entry describes the inode just opened, whatever the name points at by now.
        auto inode = sys::reopen(handle->fd.get(), O_PATH);
        if (!inode) return Errno{s.note_fd_error(inode.error())};
        if (owner_after) {
            made = std::move(*inode);
        } else {
            entry = s.entry_from(std::move(*inode), *caller.map, unnamed);
        }
    }
    if (owner_after) {
        s.set_owner_after_create(caller, dev, dir->get(), made.get());
        entry = s.entry_from(std::move(made), *caller.map, unnamed);
    }
    if (!entry) return Errno{entry.error()};
    auto node = s.node(entry->ino);
    if (!node) return Errno{node.error()};
    handle->flags = flags;
    handle->node = std::move(*node);
    handle->node->posix_locks().note_open();
    OpenedFile file{entry->ino, 0, handle->fd.get(), flags};
    file.fh = s.files.add(std::move(handle));
    return CreateReply{*entry, file.fh, file};
}

Result<std::span<const char>> Filesystem::read(std::uint64_t fh, std::size_t size, off_t offset) {
    auto file = state_->file(fh);
    if (!file) return Errno{file.error()};
    std::span<char> buffer = thread_read_buffer(size);
    const ssize_t n = ::pread((*file)->fd.get(), buffer.data(), buffer.size(), offset);
    if (n < 0) return sys::last_error();
    return std::span<const char>(buffer.data(), static_cast<std::size_t>(n));
}

namespace {

// Writes `data` at `offset` of the open file `fd`; the bytes written, or -errno.
ssize_t write_data(int fd, int flags, fuse_bufvec& data, off_t offset) {
    const std::size_t size = fuse_buf_size(&data);
    if (flags & O_DIRECT) {
        // O_DIRECT needs an aligned source; libfuse's request buffer is not. Gather into the
        // (aligned) per-thread buffer first.
        std::span<char> aligned = thread_read_buffer(size);
        fuse_bufvec staging = single_buffer(size);
        staging.buf[0].mem = aligned.data();
        const ssize_t gathered = fuse_buf_copy(&staging, &data, FUSE_BUF_NO_SPLICE);
        if (gathered < 0) return gathered;
        const ssize_t n = ::pwrite(fd, aligned.data(), static_cast<std::size_t>(gathered), offset);
        return n < 0 ? -errno : n;
    }
    fuse_bufvec out = single_buffer(size);
    out.buf[0].flags = static_cast<fuse_buf_flags>(FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK);
    out.buf[0].fd = fd;
    out.buf[0].pos = offset;
    return fuse_buf_copy(&out, &data, static_cast<fuse_buf_copy_flags>(0));
}

}  // namespace

Result<std::size_t> Filesystem::write_buf(std::uint64_t fh, fuse_bufvec& data, off_t offset,
                                          const Caller* writer) {
    auto file = state_->file(fh);
    if (!file) return Errno{file.error()};
    const int fd = (*file)->fd.get();
    ssize_t n = 0;
    const auto write = [&] {
        n = write_data(fd, (*file)->flags, data, offset);
        return n < 0 ? static_cast<int>(-n) : 0;
    };
    // The kernel sends a writer only when it lacks CAP_FSETID: privileged_keeps does not apply.
    const int error = writer ? clearing_setid(*state_, fd, *writer, false, write) : write();
    if (error != 0) return Errno{error};
    return static_cast<std::size_t>(n);
}

int Filesystem::flush(std::uint64_t fh, std::uint64_t lock_owner) {
    auto file = state_->file(fh);
    if (!file) return file.error();
    // close() by the owner releases its POSIX locks on the file; the kernel sends FLUSH for it.
    (*file)->node->posix_locks().drop(lock_owner);
    // Closing a duplicate reports what close() of the file would (NFS write-back errors, say)
    // while the open itself lives on until RELEASE.
    const int dup = ::fcntl((*file)->fd.get(), F_DUPFD_CLOEXEC, 0);
    if (dup < 0) return state_->note_fd_error(errno);
    return sys::errno_of(::close(dup));
}

void Filesystem::release(std::uint64_t fh, bool notify_opener) noexcept {
    State& s = *state_;
    try {
        auto handle = s.files.remove(fh);
        if (!handle) return;
        if (notify_opener) {
            s.opener->released(OpenedFile{handle->node->id(), fh, handle->fd.get(), handle->flags});
        }
        handle->node->posix_locks().note_release();
    } catch (...) {
    }
}

int Filesystem::fsync(std::uint64_t fh, bool datasync) {
    auto file = state_->file(fh);
    if (!file) return file.error();
    const int fd = (*file)->fd.get();
    return sys::errno_of(datasync ? ::fdatasync(fd) : ::fsync(fd));
}

int Filesystem::fallocate(std::uint64_t fh, int mode, off_t offset, off_t length,
                          const Caller* caller) {
    auto file = state_->file(fh);
    if (!file) return file.error();
    const int fd = (*file)->fd.get();
    const auto allocate = [&] { return sys::errno_of(::fallocate(fd, mode, offset, length)); };
    // FUSE_FALLOCATE has no kill flag: with KILLPRIV_V2 the kernel leaves set-id bits to the
    // filesystem and tells it nothing, so decide as the kernel does for a native fallocate, from
    // the caller (root on the mount side keeps the bits, like a caller holding CAP_FSETID).
    return caller ? clearing_setid(*state_, fd, *caller, true, allocate) : allocate();
}

Result<std::size_t> Filesystem::copy_file_range(std::uint64_t fh_in, off_t off_in,
                                                std::uint64_t fh_out, off_t off_out,
                                                std::size_t length, int flags) {
    auto in = state_->file(fh_in);
    if (!in) return Errno{in.error()};
    auto out = state_->file(fh_out);
    if (!out) return Errno{out.error()};
    loff_t from = off_in;
    loff_t to = off_out;
    const ssize_t n = ::copy_file_range((*in)->fd.get(), &from, (*out)->fd.get(), &to, length,
                                        static_cast<unsigned>(flags));
    if (n < 0) return sys::last_error();
    return static_cast<std::size_t>(n);
}

Result<off_t> Filesystem::lseek(std::uint64_t fh, off_t offset, int whence) {
    auto file = state_->file(fh);
    if (!file) return Errno{file.error()};
    const off_t result = ::lseek((*file)->fd.get(), offset, whence);
    if (result < 0) return sys::last_error();
    return result;
}

}  // namespace idshift::fusell

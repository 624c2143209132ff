#pragma once
// The core of idshift: every FUSE operation as a method that takes the caller and decoded
// arguments and returns a value or an errno. Nothing in here calls fuse_reply_* (operations.cpp
// does, once per request), so the core can be driven without a mount.
//
// Every path operation is *at() relative to a node's fd and never follows a symlink: no name the
// kernel sends, and no symlink in the backing tree, can lead outside the source directory.
#include <fuse_lowlevel.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "idshift/fusell/caller.hpp"
#include "idshift/fusell/file_opener.hpp"
#include "idshift/fusell/options.hpp"
#include "idshift/fusell/result.hpp"
#include "idshift/fusell/stats.hpp"
#include "idshift/idmap/map_holder.hpp"

namespace idshift::fusell {

struct AttrReply {
    struct stat attr;
    double timeout;
};

// getxattr / listxattr: with a size of 0 only `size` is set (the length the caller needs).
struct XattrReply {
    std::size_t size = 0;
    std::vector<char> data;
};

struct CreateReply {
    fuse_entry_param entry;
    std::uint64_t fh;
    OpenedFile file;
};

struct OpenReply {
    std::uint64_t fh;
    OpenedFile file;
    // Whether the kernel may keep the file's page cache (FOPEN_KEEP_CACHE): always with
    // cache=always, with cache=auto when the file is unchanged since its previous open.
    bool keep_cache = false;
};

class Filesystem {
  public:
    // Opens `source` (which must be a directory) as the root. Throws std::system_error when it
    // cannot. `maps` must outlive the filesystem; a reload swaps the map inside it.
    Filesystem(const std::string& source, FsOptions options, idmap::MapHolder& maps);
    ~Filesystem();
    Filesystem(const Filesystem&) = delete;
    Filesystem& operator=(const Filesystem&) = delete;

    const FsOptions& options() const noexcept;
    const idmap::MapHolder& maps() const noexcept;
    // Replaces how OPEN/CREATE replies are sent (see FileOpener). Call while no request is being
    // served: before the loop, or after it has returned (which drops the old opener).
    void set_opener(std::unique_ptr<FileOpener> opener);
    FileOpener& opener() noexcept;

    // The caller of a request, mapped through the current map. `groups` are the caller's
    // supplementary groups on the mount side.
    Caller make_caller(uid_t uid, gid_t gid, pid_t pid, mode_t umask,
                       std::span<const gid_t> groups) const;

    // Negotiates capabilities with the kernel.
    void init(fuse_conn_info& conn);
    // Ids of every node the kernel may still hold (for invalidation after a map reload).
    std::vector<fuse_ino_t> known_nodes() const;
    // Number of nodes the kernel holds references to, the root included.
    std::size_t node_count() const;
    // Nodes that hold an fd of their own because their storage gives no file handles: their fds
    // go only when the kernel forgets them. And up to `count` of them, unused longest first,
    // for the kernel to drop (FUSE_NOTIFY_PRUNE) when fds run short.
    std::size_t pinned_nodes() const noexcept;
    std::vector<fuse_ino_t> pinned_nodes_unused_longest(std::size_t count);
    // `wake` is called, from the thread serving a request and without blocking it, when the pinned
    // nodes reach `mark` (and every few nodes above), and when an open fails with EMFILE. Set
    // before serving.
    void on_fd_pressure(std::size_t mark, std::function<void()> wake);
    // Every storage met below SOURCE, the root's first: what was found and what idshift does.
    std::vector<StorageInfo> storage_info() const;
    // Whether an open of a file on storage `dev` may use FUSE passthrough; a decline is counted.
    bool passthrough_allowed(dev_t dev) noexcept;
    // Requests, errors, latencies and unmapped ids so far (see stats.hpp).
    Stats& stats() noexcept;
    // Logs how many lines about refused operations the rate limit held back, once their second
    // is over. Call from time to time; refusals themselves also do it.
    void flush_refusal_log() noexcept;

    // entry_ops.cpp
    Result<fuse_entry_param> lookup(const Caller& caller, fuse_ino_t parent, std::string_view name);
    void forget(fuse_ino_t ino, std::uint64_t nlookup) noexcept;

    // attr_ops.cpp. `fh` is the open file the kernel names, if any. getattr needs no caller: an
    // inode's attributes are there for whoever may look it up (the kernel checked that).
    Result<AttrReply> getattr(fuse_ino_t ino, std::optional<std::uint64_t> fh);
    Result<AttrReply> setattr(const Caller& caller, fuse_ino_t ino, const struct stat& attr,
                              int to_set, std::optional<std::uint64_t> fh);

    // link_ops.cpp
    Result<std::string> readlink(fuse_ino_t ino);
    Result<fuse_entry_param> mknod(const Caller& caller, fuse_ino_t parent, std::string_view name,
                                   mode_t mode, dev_t rdev);
    Result<fuse_entry_param> symlink(const Caller& caller, std::string_view target,
                                     fuse_ino_t parent, std::string_view name);
    Result<fuse_entry_param> link(const Caller& caller, fuse_ino_t ino, fuse_ino_t new_parent,
                                  std::string_view new_name);
    int unlink(const Caller& caller, fuse_ino_t parent, std::string_view name);
    int rename(const Caller& caller, fuse_ino_t parent, std::string_view name,
               fuse_ino_t new_parent, std::string_view new_name, unsigned flags);

    // dir_ops.cpp
    Result<fuse_entry_param> mkdir(const Caller& caller, fuse_ino_t parent, std::string_view name,
                                   mode_t mode);
    int rmdir(const Caller& caller, fuse_ino_t parent, std::string_view name);
    Result<std::uint64_t> opendir(const Caller& caller, fuse_ino_t ino);
    // Fills `out` with directory entries starting at `offset`; returns the bytes used (0 at end).
    Result<std::size_t> readdir(const Caller& caller, std::uint64_t fh, std::span<char> out,
                                off_t offset, bool plus);
    void releasedir(std::uint64_t fh) noexcept;
    int fsyncdir(std::uint64_t fh, bool datasync);

    // file_ops.cpp
    //
    // Set-id bits (FUSE_HANDLE_KILLPRIV_V2 leaves clearing them to the filesystem): where the
    // kernel says the caller lacks CAP_FSETID (`clear_setid`, or a `writer` passed to write_buf),
    // the backing syscall runs without CAP_FSETID and, for writes, as the writer, so the backing
    // filesystem clears suid/sgid by its own rules, exactly as it would for that writer natively.
    // fallocate carries no such flag: it always runs so for a file that has either bit.
    Result<OpenReply> open(const Caller& caller, fuse_ino_t ino, int flags,
                           bool clear_setid = false);
    Result<CreateReply> create(const Caller& caller, fuse_ino_t parent, std::string_view name,
                               mode_t mode, int flags, bool clear_setid = false);
    // The bytes read live in a per-thread buffer, valid until this thread reads again.
    Result<std::span<const char>> read(std::uint64_t fh, std::size_t size, off_t offset);
    Result<std::size_t> write_buf(std::uint64_t fh, fuse_bufvec& data, off_t offset,
                                  const Caller* writer = nullptr);
    int flush(std::uint64_t fh, std::uint64_t lock_owner);
    // Forgets the open; the FileOpener hears of it when `notify_opener`.
    void release(std::uint64_t fh, bool notify_opener = true) noexcept;
    int fsync(std::uint64_t fh, bool datasync);
    int fallocate(std::uint64_t fh, int mode, off_t offset, off_t length,
                  const Caller* caller = nullptr);
    Result<std::size_t> copy_file_range(std::uint64_t fh_in, off_t off_in, std::uint64_t fh_out,
                                        off_t off_out, std::size_t length, int flags);
    Result<off_t> lseek(std::uint64_t fh, off_t offset, int whence);

    // xattr_ops.cpp
    int setxattr(const Caller& caller, fuse_ino_t ino, std::string_view name,
                 std::span<const char> value, int flags);
    Result<XattrReply> getxattr(const Caller& caller, fuse_ino_t ino, std::string_view name,
                                std::size_t size);
    Result<XattrReply> listxattr(const Caller& caller, fuse_ino_t ino, std::size_t size);
    int removexattr(const Caller& caller, fuse_ino_t ino, std::string_view name);

    // lock_ops.cpp
    Result<struct flock> getlk(std::uint64_t fh, std::uint64_t owner, const struct flock& lock);
    int setlk(std::uint64_t fh, std::uint64_t owner, const struct flock& lock, bool sleep);
    int flock(std::uint64_t fh, int operation);

    // fs_ops.cpp
    Result<struct statvfs> statfs(fuse_ino_t ino);
    int access(const Caller& caller, fuse_ino_t ino, int mask);

    struct State;  // the implementation's; defined in fs_state.hpp
    State& state() noexcept { return *state_; }

  private:
    std::unique_ptr<State> state_;
};

}  // namespace idshift::fusell

#pragma once
// Every FUSE request must be answered exactly once: an unanswered request hangs its caller
// forever, a second answer is a use-after-free inside libfuse. Reply owns the request until one
// answer is sent; if none was, its destructor answers EIO and logs the operation.
//
// The fuse_reply_* functions are reached through a ReplyApi table, the seam that lets tests check
// the guard without a kernel.
#include <fuse_lowlevel.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <utility>

namespace idshift::fusell {

struct ReplyApi {
    int (*err)(fuse_req_t, int);
    void (*none)(fuse_req_t);
    int (*entry)(fuse_req_t, const fuse_entry_param*);
    int (*attr)(fuse_req_t, const struct stat*, double);
    int (*readlink)(fuse_req_t, const char*);
    int (*write)(fuse_req_t, size_t);
    int (*buf)(fuse_req_t, const char*, size_t);
    int (*statfs)(fuse_req_t, const struct statvfs*);
    int (*xattr)(fuse_req_t, size_t);
    int (*lock)(fuse_req_t, const struct flock*);
    int (*lseek)(fuse_req_t, off_t);
    int (*open)(fuse_req_t, const fuse_file_info*);
};

inline constexpr ReplyApi kLibfuseReplies{
    &fuse_reply_err,      &fuse_reply_none,  &fuse_reply_entry, &fuse_reply_attr,
    &fuse_reply_readlink, &fuse_reply_write, &fuse_reply_buf,   &fuse_reply_statfs,
    &fuse_reply_xattr,    &fuse_reply_lock,  &fuse_reply_lseek, &fuse_reply_open,
};

class Reply {
  public:
    Reply(fuse_req_t req, const char* op, const ReplyApi& api = kLibfuseReplies) noexcept
        : req_(req), op_(op), api_(&api) {}
    Reply(Reply&& other) noexcept
        : req_(std::exchange(other.req_, nullptr)), op_(other.op_), api_(other.api_) {}
    Reply& operator=(Reply&&) = delete;
    Reply(const Reply&) = delete;
    Reply& operator=(const Reply&) = delete;
    ~Reply();

    const char* op() const noexcept { return op_; }
    bool sent() const noexcept { return req_ == nullptr; }

    // Each answers the request unless it was answered already (then it does nothing and returns
    // 0). Each returns what the fuse_reply_* call returns.
    int err(int error) noexcept;
    void none() noexcept;
    int entry(const fuse_entry_param& entry) noexcept;
    int attr(const struct stat& attr, double timeout) noexcept;
    int readlink(const char* target) noexcept;
    int write(size_t count) noexcept;
    int buf(const char* data, size_t size) noexcept;
    int statfs(const struct statvfs& st) noexcept;
    int xattr(size_t size) noexcept;
    int lock(const struct flock& lock) noexcept;
    int lseek(off_t offset) noexcept;
    int open(const fuse_file_info& fi) noexcept;

    // Hands the request to code that answers it itself (a FileOpener); the guard is then done.
    fuse_req_t release() noexcept { return std::exchange(req_, nullptr); }

  private:
    template <typename Fn, typename... Args>
    int send(Fn fn, Args... args) noexcept {
        if (req_ == nullptr) return 0;
        return fn(std::exchange(req_, nullptr), args...);
    }

    fuse_req_t req_;
    const char* op_;
    const ReplyApi* api_;
};

}  // namespace idshift::fusell

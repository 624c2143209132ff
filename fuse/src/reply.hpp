#pragma once
// Every FUSE request must be answered exactly once: an unanswered request hangs its caller
// forever, a second answer is a use-after-free inside libfuse. Reply owns the request until one
// answer is sent; if none was, its destructor answers EIO and logs the operation.
//
// The fuse_reply_* functions are reached through a ReplyApi table, the seam that lets tests check
// the guard without a kernel.
//
// Every request passes through here exactly once, so this is also where it is counted (see
// stats.hpp): the operation, the errno it was answered with and the time from the Reply's
// construction to the answer.
#include <fuse_lowlevel.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <chrono>
#include <utility>

#include "idshift/fusell/stats.hpp"

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
    // Where the request is counted; nullptr (the function or its result): nowhere.
    Stats* (*stats)(fuse_req_t);
};

// The Stats of the Filesystem serving `req` (its libfuse userdata).
Stats* stats_of_request(fuse_req_t req) noexcept;

inline constexpr ReplyApi kLibfuseReplies{
    &fuse_reply_err,      &fuse_reply_none,  &fuse_reply_entry, &fuse_reply_attr,
    &fuse_reply_readlink, &fuse_reply_write, &fuse_reply_buf,   &fuse_reply_statfs,
    &fuse_reply_xattr,    &fuse_reply_lock,  &fuse_reply_lseek, &fuse_reply_open,
    &stats_of_request,
};

class Reply {
  public:
    // `op` is the operation's name as a string literal, checked against the table at compile time.
    Reply(fuse_req_t req, OpName op, const ReplyApi& api = kLibfuseReplies) noexcept
        : req_(req),
          op_(op.op),
          api_(&api),
          stats_(api.stats ? api.stats(req) : nullptr),
          start_(stats_ ? Clock::now() : Clock::time_point{}) {}
    Reply(Reply&& other) noexcept
        : req_(std::exchange(other.req_, nullptr)),
          op_(other.op_),
          api_(other.api_),
          stats_(other.stats_),
          start_(other.start_) {}
    Reply& operator=(Reply&&) = delete;
    Reply(const Reply&) = delete;
    Reply& operator=(const Reply&) = delete;
    ~Reply();

    const char* op() const noexcept { return op_name(op_); }
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

    // Hands the request to code that answers it itself (a FileOpener); the guard is then done,
    // and the request counts as answered successfully.
    fuse_req_t release() noexcept {
        if (req_ != nullptr) count(0);
        return std::exchange(req_, nullptr);
    }

  private:
    using Clock = std::chrono::steady_clock;

    // Sends with `fn` unless answered already; `error` is what the answer says (0: success).
    // Counted just before the answer goes out, as release() does: whoever sees an answer's effect
    // (a read(2) that returned) then also sees it in `idshift stats`. Counted after, the last
    // READ of a file could show up in the counters only once the reader had moved on.
    template <typename Fn, typename... Args>
    int send(int error, Fn fn, Args... args) noexcept {
        if (req_ == nullptr) return 0;
        count(error);
        return fn(std::exchange(req_, nullptr), args...);
    }
    void count(int error) noexcept {
        if (stats_ != nullptr) stats_->record(op_, error, Clock::now() - start_);
    }

    fuse_req_t req_;
    Op op_;
    const ReplyApi* api_;
    Stats* stats_;
    Clock::time_point start_;
};

}  // namespace idshift::fusell

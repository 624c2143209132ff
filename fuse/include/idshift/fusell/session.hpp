#pragma once
// One FUSE session serving a Filesystem: created, mounted, looped, unmounted and destroyed in that
// order, and torn down in reverse by the destructor whatever happened in between.
#include <fuse_lowlevel.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "idshift/fusell/filesystem.hpp"

namespace idshift::fusell {

// What the kernel is told at mount time. Only options the kernel or libfuse understand go here.
struct MountOptions {
    std::string fsname;               // first field of /proc/mounts
    std::string subtype = "idshift";  // /proc/mounts shows fuse.<subtype>
    bool allow_other = true;
    bool read_only = false;
    bool dev = false;                // device nodes usable (nodev otherwise)
    std::vector<std::string> flags;  // other mount flags passed on: nosuid, noexec, noatime, ...
    bool debug = false;              // libfuse traces every request (through fuse_log)

    // The -o string for libfuse, commas and backslashes in values escaped.
    std::string to_option_string() const;
};

class SessionError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

class Session {
  public:
    // Throws SessionError when libfuse refuses the options.
    Session(Filesystem& fs, const MountOptions& options);
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    // Throws SessionError when the mount fails (the reason is logged by libfuse).
    void mount(const std::string& mountpoint);
    // SIGINT and SIGTERM end the loop (and so unmount). SIGHUP is left alone when the caller has
    // given it a handler first: libfuse only takes signals whose action is the default.
    void install_signal_handlers();
    // Serves requests until unmounted or signalled. Returns 0 when unmounted, the signal number
    // when SIGTERM or SIGINT ended it, or -errno.
    int loop(unsigned max_threads, bool clone_fd);
    // Makes loop() return.
    void exit() noexcept;

    // Drops the kernel's cached attributes (and ACLs) of `ino`, so they are asked for again.
    // Returns 0, or -ENOENT when the kernel no longer knows the node.
    int invalidate_attributes(fuse_ino_t ino) noexcept;

    fuse_session* get() const noexcept { return session_; }

  private:
    fuse_session* session_ = nullptr;
    bool mounted_ = false;
    bool signals_ = false;
};

}  // namespace idshift::fusell

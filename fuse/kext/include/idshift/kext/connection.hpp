#pragma once
// The kernel-protocol extras of one FUSE connection: FUSE passthrough, FUSE_HANDLE_KILLPRIV_V2 and
// FUSE_ALLOW_IDMAP, negotiated behind the back of Debian's libfuse 3.14, which predates them all.
//
// How: attach() re-registers the mounted session fd with fuse_session_custom_io(). The read hook
// sees every request (it records the INIT offer and each request's kill-suid/sgid flag); the writev
// hook rewrites the INIT reply (init_patch.hpp) and, right after the kernel has processed it,
// probes whether passthrough is usable. The hooks see the cloned fds of -o clone_fd as well,
// since 3.14's clone path reads and writes through se->io. Replies that splice (FD-backed read
// replies) keep splicing through a forwarded splice_send hook. Requests are not spliced in: a
// spliced request would bypass the read hook, and with it the kill flags. libfuse hands the hooks
// the filesystem's userdata, not the module's, so the hooks find the Connection through one
// process-wide pointer: at most one attached Connection per process (attach() answers EBUSY to a
// second).
//
// Integration contract for the filesystem (fuse/src):
//  1. Startup. Construct a Connection with the daemon's kext::Options after fuse_session_new()
//     (options.default_permissions = whether the mount has -o default_permissions), call
//     attach(se) after fuse_session_mount() and before the loop; keep it alive until the loop has
//     returned and every lease is gone. Do not ask for FUSE_CAP_WRITEBACK_CACHE in init() when
//     passthrough is wanted (the module then declines passthrough and logs why). Keep
//     CAP_SYS_ADMIN in the daemon's effective set while passthrough is on: BACKING_OPEN and
//     BACKING_CLOSE need it in the initial user namespace. status() is final once the callback set
//     with set_negotiated_callback() has run (on the loop thread that wrote the INIT reply); log
//     describe(status()) there, and drop CAP_SYS_ADMIN only if passthrough is off.
//  2. OPEN/CREATE, through idshift's FileOpener seam (fusell/file_opener.hpp),
//     with a LeaseTable (lease_table.hpp) built on backing(): reply_open(req, file, fi) calls
//     table.reply_open(req, fi, file.ino, file.fd) and reply_create calls table.reply_create(req,
//     entry, fi, file.ino, file.fd); released(file) calls table.release(file.fh); forgotten(ino)
//     calls backing().forget(ino). Every open of a regular file goes through it, passthrough or
//     not: the registry counts both kinds to keep the kernel's no-mixing rule. file.fd is the
//     daemon's open file (the node's O_PATH fd works as well on 6.10+); the credentials the call
//     runs with do not matter, the registry drops CAP_FSETID itself. keep_cache, nonseekable and
//     cache_readdir are stripped from passthrough replies, and a failed reply drops the lease.
//     (A filesystem whose handle objects can hold a BackingLease may instead call
//     backing().acquire() and reply_open()/reply_create() itself and keep the lease in the handle
//     until RELEASE, as the test filesystem in tests/unit/kext does.)
//  3. FIFOs and device nodes opened through OPEN may go through the table too: BACKING_OPEN
//     refuses them, the registry remembers that for the node, and they stay on the FUSE path.
//  4. Passthrough files still send getattr, setattr, fsync, flush, fallocate, lseek, xattr and
//     copy_file_range to the daemon; read, write, splice and mmap never arrive.
//
// FUSE_HANDLE_KILLPRIV_V2 (negotiated by default; status().killpriv_v2.available): the kernel no
// longer asks for security.capability before each write (with it, 500 random 4 KiB writes cost at
// most one GETXATTR instead of 500) and no longer turns writes, truncates and chowns into mode
// changes. The filesystem must clear suid/sgid where the kernel says so. The simplest correct way
// is to let the backing filesystem do it, by running the backing syscall without CAP_FSETID
// (FsetidGuard, fsetid_guard.hpp) whatever the mapped fsuid, since a storage-side fsuid 0 would
// otherwise keep the bits for a caller the kernel judged unprivileged:
//  * WRITE (write and write_buf, i.e. opens without passthrough): if
//    current_request().kill_suidgid (FUSE_WRITE_KILL_SUIDGID, set when the writer lacks
//    CAP_FSETID; libfuse 3.14 does not pass write_flags on), write under an FsetidGuard.
//  * OPEN and CREATE with O_TRUNC: if current_request().kill_suidgid (FUSE_OPEN_KILL_SUIDGID, not
//    in 3.14's fuse_file_info either), open the backing file under an FsetidGuard.
//  * SETATTR: the kernel's FATTR_KILL_SUIDGID arrives in to_set as FUSE_SET_ATTR_KILL_SUID (bit 11,
//    passed through by libfuse 3.14); with FUSE_SET_ATTR_SIZE, truncate under an FsetidGuard.
//  * chown needs nothing: the backing chown clears the bits itself.
//  * Passthrough writes never reach the daemon as writes. Before each, the kernel removes the
//    privileges of the FUSE file with the writer's own credentials: for a writer without
//    CAP_FSETID that is a SETATTR with FATTR_KILL_SUIDGID, handled as above. Then it writes the
//    backing file with the credentials of the BACKING_OPEN ioctl, which the registry issues with
//    CAP_FSETID raised (FsetidRaise), so the backing filesystem keeps the bits a privileged writer
//    keeps natively. Issued without it, every passthrough write cleared them, root's too, as soon
//    as a file turned set-id while open (set-id files are not opened for passthrough) or was
//    opened while such an open was live, since all opens of an inode share its one backing id.
// The backing filesystem removes security.capability on every write and truncate by itself.

#include <fuse_lowlevel.h>

#include <cstdint>
#include <functional>
#include <memory>

#include "idshift/kext/backing_registry.hpp"
#include "idshift/kext/options.hpp"
#include "idshift/kext/request_parse.hpp"
#include "idshift/kext/status.hpp"

namespace idshift::fusell::kext {

class Connection {
  public:
    explicit Connection(const Options& options);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // Runs once, on the thread that wrote the INIT reply, after the passthrough probe. Set it
    // before attach(). It must not throw.
    void set_negotiated_callback(std::function<void(const Status&)> callback);

    // Installs the hooks on the mounted session `se` (after fuse_session_mount(), before the loop).
    // Returns 0, -EBUSY when another Connection is attached in this process, or libfuse's -errno.
    // With every feature off in the options it installs nothing and returns 0.
    int attach(fuse_session* se) noexcept;

    [[nodiscard]] Status status() const;
    [[nodiscard]] BackingRegistry& backing() noexcept;
    // Requests with `opcode` read so far (opcodes >= 64 are not counted). For metrics and tests.
    [[nodiscard]] std::uint64_t request_count(std::uint32_t opcode) const noexcept;

    struct State;  // the hooks' view; defined in connection.cpp

  private:
    std::unique_ptr<State> state_;
};

// The request the calling thread is serving, as the read hook saw it just before libfuse dispatched
// it. Meaningful only inside a libfuse callback and on its thread (libfuse 3.14 reads and processes
// each request on one thread); a filesystem that hands work to another thread must copy it first.
[[nodiscard]] RequestNote current_request() noexcept;

}  // namespace idshift::fusell::kext

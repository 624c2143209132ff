#pragma once
// Rewrites libfuse 3.14's INIT reply so that it asks for what libfuse cannot name: FUSE_PASSTHROUGH
// with max_stack_depth, FUSE_HANDLE_KILLPRIV_V2 and FUSE_ALLOW_IDMAP. Pure: no syscalls, so every
// decision is unit-tested on synthetic iovecs. connection.cpp applies it in the writev hook.

#include <sys/uio.h>

#include <cstdint>
#include <optional>

#include "idshift/kext/options.hpp"
#include "idshift/kext/request_parse.hpp"
#include "idshift/kext/status.hpp"
#include "idshift/kext/wire.hpp"

namespace idshift::fusell::kext {

// The body of libfuse's reply to INIT `unique`, copied out of its writev. libfuse 3.14 sends every
// reply as one writev with fuse_out_header alone in iov[0] and the 64-byte fuse_init_out in iov[1].
// nullopt for anything else: another request, an error reply, the short bodies of protocol minors
// below 23, or any other iovec shape. Those are left untouched.
[[nodiscard]] std::optional<wire::InitOut> find_init_reply(const iovec* iov, int count,
                                                           std::uint64_t unique) noexcept;

struct InitPatch {
    wire::InitOut reply{};  // the body to send instead
    Status status;          // passthrough.available stays false: only the probe can tell
    bool changed = false;   // reply differs from the original
};

// Decides each feature from the kernel's offer, the options and what the filesystem already asked
// for in `reply` (libfuse's own choices are kept). Passthrough is refused when the reply asks for
// FUSE_WRITEBACK_CACHE: the kernel would silently ignore it.
[[nodiscard]] InitPatch patch_init_reply(const InitOffer& offer, const Options& options,
                                         const wire::InitOut& reply) noexcept;

}  // namespace idshift::fusell::kext

#pragma once
// The libfuse low-level operation table. Every entry is a noexcept trampoline: decode the
// request, call the Filesystem passed as the session's userdata, send exactly one reply.
#include <fuse_lowlevel.h>

namespace idshift::fusell {

const fuse_lowlevel_ops& operations() noexcept;

}  // namespace idshift::fusell

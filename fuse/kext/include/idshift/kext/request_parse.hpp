#pragma once
// Reads the few request fields libfuse 3.14 drops on the floor: the INIT offer (flags2, where the
// kernel offers passthrough and idmapped mounts) and the per-request kill-suid/sgid flags of
// WRITE, OPEN and CREATE. Pure functions over the bytes read from /dev/fuse.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace idshift::fusell::kext {

// What one request told the read hook.
struct RequestNote {
    std::uint32_t opcode = 0;
    std::uint64_t unique = 0;
    std::uint64_t nodeid = 0;
    // FUSE_WRITE_KILL_SUIDGID on WRITE, FUSE_OPEN_KILL_SUIDGID on OPEN and CREATE: the caller lacks
    // CAP_FSETID, so the filesystem must clear suid/sgid (see connection.hpp).
    bool kill_suidgid = false;
};

// The kernel's INIT request.
struct InitOffer {
    std::uint64_t unique = 0;
    std::uint32_t major = 0;
    std::uint32_t minor = 0;
    std::uint64_t flags = 0;  // flags | flags2 << 32; flags2 counts only with FUSE_INIT_EXT
};

// The header fields plus the kill flag. nullopt for a buffer shorter than fuse_in_header or one
// whose header length disagrees with the buffer. A body too short to hold the flag reads as "no
// flag".
[[nodiscard]] std::optional<RequestNote> parse_request(std::span<const std::byte> bytes) noexcept;

// FUSE_TMPFILE (open(2) with O_TMPFILE), which libfuse 3.14 does not know and answers ENOSYS (the
// kernel then fails every O_TMPFILE open with EOPNOTSUPP), has CREATE's body (fuse_create_in, then
// the name of vfs_tmpfile's dentry, "/") and takes CREATE's reply. This rewrites a well-formed one
// in place into FUSE_CREATE, so that libfuse hands it to the create callback, where the name "/"
// (which no real CREATE can carry) marks it. Returns whether it rewrote.
bool tmpfile_as_create(std::span<std::byte> bytes) noexcept;

// The offer of an INIT request; nullopt for anything else or a truncated INIT.
[[nodiscard]] std::optional<InitOffer> parse_init_offer(std::span<const std::byte> bytes) noexcept;

}  // namespace idshift::fusell::kext

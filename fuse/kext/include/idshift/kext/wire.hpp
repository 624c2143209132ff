#pragma once
// Kernel FUSE protocol pieces newer than the system <linux/fuse.h> (7.38) and Debian's
// libfuse 3.14. This is the only place in idshift that names them. Layouts follow the kernel
// UAPI 7.40-7.45 (include/uapi/linux/fuse.h); every offset the module relies on is pinned by a
// static_assert, so a mismatch fails the build instead of turning into a silent EIO at open(2).

#include <linux/fuse.h>
#include <sys/ioctl.h>

#include <cstddef>
#include <cstdint>

namespace idshift::fusell::kext::wire {

// --- INIT flags (the 64-bit value is flags | flags2 << 32, valid when FUSE_INIT_EXT is set)
// -------
inline constexpr std::uint64_t kInitExt = FUSE_INIT_EXT;                     // bit 30, 7.36
inline constexpr std::uint64_t kWritebackCache = FUSE_WRITEBACK_CACHE;       // bit 16
inline constexpr std::uint64_t kHandleKillprivV2 = FUSE_HANDLE_KILLPRIV_V2;  // bit 28, 7.33
inline constexpr std::uint64_t kPassthrough = 1ULL << 37;                    // flags2 bit 5, 7.40
inline constexpr std::uint64_t kAllowIdmap = 1ULL << 40;                     // flags2 bit 8, 7.41
static_assert(kInitExt == 1ULL << 30 && kHandleKillprivV2 == 1ULL << 28);

// --- per-request kill flags (7.33), which libfuse 3.14 does not hand to the filesystem ----------
inline constexpr std::uint32_t kWriteKillSuidgid =
    FUSE_WRITE_KILL_SUIDGID;  // fuse_write_in.write_flags
inline constexpr std::uint32_t kOpenKillSuidgid =
    FUSE_OPEN_KILL_SUIDGID;                                               // fuse_open_in.open_flags
inline constexpr std::uint32_t kSetattrKillSuidgid = FATTR_KILL_SUIDGID;  // fuse_setattr_in.valid
static_assert(kWriteKillSuidgid == 1U << 2 && kOpenKillSuidgid == 1U << 0);
static_assert(kSetattrKillSuidgid == 1U << 11);

// --- open reply flags --------------------------------------------------------------------------
inline constexpr std::uint32_t kFopenPassthrough = 1U << 7;  // 7.40
// The only flags the kernel accepts next to FOPEN_PASSTHROUGH (fs/fuse/iomode.c); any other flag,
// FOPEN_KEEP_CACHE for instance, makes the open fail with EIO.
inline constexpr std::uint32_t kFopenPassthroughMask =
    FOPEN_DIRECT_IO | FOPEN_PARALLEL_DIRECT_WRITES | kFopenPassthrough | FOPEN_NOFLUSH;

// The kernel's FILESYSTEM_MAX_STACK_DEPTH: max_stack_depth must be 1 or 2.
inline constexpr std::uint32_t kMaxStackDepth = 2;

// --- structures ----------------------------------------------------------------------------------
// fuse_init_out as of 7.43. The system header (7.38) still calls bytes 36..63 "unused".
struct InitOut {
    std::uint32_t major;
    std::uint32_t minor;
    std::uint32_t max_readahead;
    std::uint32_t flags;
    std::uint16_t max_background;
    std::uint16_t congestion_threshold;
    std::uint32_t max_write;
    std::uint32_t time_gran;
    std::uint16_t max_pages;
    std::uint16_t map_alignment;
    std::uint32_t flags2;
    std::uint32_t max_stack_depth;  // 7.40
    std::uint16_t request_timeout;  // 7.43
    std::uint16_t unused[11];
};
static_assert(sizeof(InitOut) == 64 && sizeof(InitOut) == sizeof(fuse_init_out));
static_assert(offsetof(InitOut, flags) == offsetof(fuse_init_out, flags));
static_assert(offsetof(InitOut, flags2) == 32 && offsetof(fuse_init_out, flags2) == 32);
static_assert(offsetof(InitOut, max_stack_depth) == 36);

// fuse_open_out as of 7.40: backing_id took the place of the old padding.
struct OpenOut {
    std::uint64_t fh;
    std::uint32_t open_flags;
    std::int32_t backing_id;
};
static_assert(sizeof(OpenOut) == 16 && sizeof(OpenOut) == sizeof(fuse_open_out));
static_assert(offsetof(OpenOut, open_flags) == offsetof(fuse_open_out, open_flags));
static_assert(offsetof(OpenOut, backing_id) == offsetof(fuse_open_out, padding));

// The CREATE reply body: fuse_entry_out immediately followed by the open reply.
struct CreateOut {
    fuse_entry_out entry;
    OpenOut open;
};
static_assert(sizeof(fuse_entry_out) == 128 && sizeof(CreateOut) == 144);
static_assert(offsetof(CreateOut, open) == sizeof(fuse_entry_out));

// Argument of FUSE_DEV_IOC_BACKING_OPEN (7.40). flags and padding must be 0.
struct BackingMap {
    std::int32_t fd;
    std::uint32_t flags;
    std::uint64_t padding;
};
static_assert(sizeof(BackingMap) == 16);

// Offsets inside request bodies (after fuse_in_header) that the read hook inspects.
inline constexpr std::size_t kInitInFlags2Offset = 16;       // fuse_init_in.flags2
inline constexpr std::size_t kWriteInWriteFlagsOffset = 20;  // fuse_write_in.write_flags
inline constexpr std::size_t kOpenInOpenFlagsOffset = 4;     // fuse_open_in.open_flags
inline constexpr std::size_t kCreateInOpenFlagsOffset = 12;  // fuse_create_in.open_flags
static_assert(offsetof(fuse_init_in, flags2) == kInitInFlags2Offset);
static_assert(offsetof(fuse_write_in, write_flags) == kWriteInWriteFlagsOffset);
static_assert(offsetof(fuse_open_in, open_flags) == kOpenInOpenFlagsOffset);
static_assert(offsetof(fuse_create_in, open_flags) == kCreateInOpenFlagsOffset);
static_assert(sizeof(fuse_in_header) == 40 && sizeof(fuse_out_header) == 16);

// --- notifications
// --------------------------------------------------------------------------------
// FUSE_NOTIFY_PRUNE (7.45): the kernel drops, of the nodeids that follow, every inode nothing uses
// (no open file, no cwd, no mount on it), and FORGETs them. Older kernels answer EINVAL.
inline constexpr std::int32_t kNotifyPrune = 9;
struct NotifyPruneOut {
    std::uint32_t count;  // nodeids (u64 each) after this header
    std::uint32_t padding;
    std::uint64_t spare;
};
static_assert(sizeof(NotifyPruneOut) == 16);

// --- ioctls on any /dev/fuse fd of the connection ------------------------------------------------
inline constexpr unsigned kDevIocMagic = 229;
inline constexpr unsigned long kDevIocBackingOpen = _IOW(kDevIocMagic, 1, BackingMap);
inline constexpr unsigned long kDevIocBackingClose = _IOW(kDevIocMagic, 2, std::uint32_t);
static_assert(kDevIocBackingOpen == 0x4010e501UL);
static_assert(kDevIocBackingClose == 0x4004e502UL);

}  // namespace idshift::fusell::kext::wire

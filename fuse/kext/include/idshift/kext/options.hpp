#pragma once
// What the daemon asks of the kernel-protocol extras. Plain data, filled from the command line
// (-o passthrough=on|off, max_stack_depth=1|2, killpriv_v2=on|off, allow_idmap=on|off).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace idshift::fusell::kext {

struct Options {
    // FUSE passthrough for regular files: read/write/mmap go from the kernel straight to the
    // backing file. Used only where the kernel offers it and the daemon holds CAP_SYS_ADMIN.
    bool passthrough = true;
    // 1: backing files must live on a non-stacked filesystem (ext4, xfs, tmpfs...), and overlayfs
    //    may still be stacked on top of the mount. 2: backing files may live on overlayfs, but
    //    nothing can be stacked on the mount. Anything else disables passthrough.
    std::uint32_t max_stack_depth = 1;
    // FUSE_HANDLE_KILLPRIV_V2: the kernel stops asking for security.capability on every write and
    // the filesystem clears suid/sgid/caps itself where the kernel tells it to (see
    // connection.hpp).
    bool killpriv_v2 = true;
    // FUSE_ALLOW_IDMAP: lets an idmapped mount be made of this mount (mount_setattr with
    // MOUNT_ATTR_IDMAP). Off unless asked for.
    bool allow_idmap = false;
    // Whether the mount was made with -o default_permissions. The kernel refuses the whole INIT
    // (every request then fails with ECONNREFUSED) when ALLOW_IDMAP comes without it, so the module
    // only negotiates ALLOW_IDMAP when this is true.
    bool default_permissions = true;
};

// True for the option names apply_option() understands.
[[nodiscard]] bool is_option(std::string_view key) noexcept;

// Applies "key=value" from -o to `options`. Returns an error message naming the option and the
// accepted values, or nullopt on success. `key` must satisfy is_option().
[[nodiscard]] std::optional<std::string> apply_option(Options& options, std::string_view key,
                                                      std::string_view value);

}  // namespace idshift::fusell::kext

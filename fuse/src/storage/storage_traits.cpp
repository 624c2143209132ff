#include "storage_traits.hpp"

#include <sys/sysmacros.h>

#include <spdlog/fmt/fmt.h>

#include <cerrno>
#include <cstring>

namespace idshift::fusell::storage {
namespace {

const char* answer(Answer a) noexcept {
    switch (a) {
        case Answer::yes:
            return "yes";
        case Answer::no:
            return "no";
        case Answer::unknown:
            break;
    }
    return "unknown";
}

std::string errno_suffix(Answer a, int error) {
    if (a != Answer::no || error == 0) return {};
    const char* name = ::strerrorname_np(error);
    return fmt::format(" ({})", name ? name : std::to_string(error));
}

}  // namespace

Adaptation adapt(const Traits& found, bool mount_negotiates_acls) noexcept {
    Adaptation a;
    // Unknown keeps what idshift did before it probed: a storage that could not tell is trusted.
    a.acls = found.posix_acl != Answer::no;
    a.acl_enodata = mount_negotiates_acls && !a.acls;
    a.owner_after_create = found.owner_from_creds == Answer::no;
    a.chown_after_create = a.owner_after_create && found.chown != Answer::no;
    // Passthrough only where the probe showed that an ordinary caller's open of the backing file
    // is not judged again, and never on network or FUSE storage: there a file's writes reach the
    // server when the backing file is closed (close-to-open), and with passthrough the kernel
    // holds the backing file until the asynchronous RELEASE, so another client (or another
    // container's mount) would read stale bytes after the writer's close.
    a.passthrough = found.open_judged_by_storage != Answer::yes && !found.remote_kind;
    a.keep_unchanged_cache = found.fine_timestamps != Answer::no;
    const auto refused = [](int error) { return error == EACCES || error == EPERM; };
    a.vouch_withheld = (!found.writable && refused(found.write_error)) ||
                       (found.chown == Answer::no && refused(found.chown_error));
    return a;
}

std::string describe_found(const Traits& f) {
    std::string out;
    if (!f.writable) {
        fmt::format_to(std::back_inserter(out), "read only{} (probed what can be read), ",
                       errno_suffix(Answer::no, f.write_error));
    }
    fmt::format_to(std::back_inserter(out),
                   "ACLs {}, user xattrs {}, file handles {}, owner from creds {}, chown {}{}, "
                   "opens judged by the storage {}, O_TMPFILE {}, RENAME_EXCHANGE {}, "
                   "RENAME_NOREPLACE {}",
                   answer(f.posix_acl), answer(f.user_xattrs), answer(f.handles),
                   answer(f.owner_from_creds), answer(f.chown),
                   errno_suffix(f.chown, f.chown_error), answer(f.open_judged_by_storage),
                   answer(f.tmpfile), answer(f.rename_exchange), answer(f.rename_noreplace));
    if (f.fine_timestamps == Answer::no) out += ", timestamps in whole seconds";
    return out;
}

std::string describe_adaptation(const Adaptation& a, const Traits& f) {
    std::string out;
    if (a.acl_enodata) {
        out += "ACL names answered with ENODATA";
    } else if (a.acls) {
        out += "ACLs remapped and enforced by the kernel";
    } else {
        out += "kernel checks modes only (no POSIX ACLs negotiated)";
    }
    if (a.chown_after_create) {
        out += ", owner set after create";
    } else if (a.owner_after_create) {
        out += ", new files keep the storage's owner (chown refused)";
    }
    if (a.passthrough) {
        out += ", passthrough allowed";
    } else if (f.open_judged_by_storage == Answer::yes) {
        out += ", files served through the daemon (the storage judges passthrough opens itself)";
    } else {
        out += ", files served through the daemon (network storage: writes reach it on close)";
    }
    if (!a.keep_unchanged_cache) out += ", cache=auto reads a file anew on every open";
    if (a.vouch_withheld)
        out += ", requests without the caller's ids run as an identity the mode grants";
    return out;
}

std::string describe(const Traits& found, const Adaptation& adaptation) {
    return fmt::format("storage {}:{} ({}): found {}; idshift: {}", major(found.dev),
                       minor(found.dev), found.fstype.empty() ? "?" : found.fstype,
                       describe_found(found), describe_adaptation(adaptation, found));
}

}  // namespace idshift::fusell::storage

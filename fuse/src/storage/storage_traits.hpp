#pragma once
// What one storage below idshift was found to do (storage_probe.hpp finds out), and what idshift
// does about it. adapt() is the whole decision, over plain data, so that a test can hand it any
// storage at all: one without ACLs, xattrs or handles, one that ignores the creator's ids or
// refuses chown, one that judges every open itself.
#include <sys/types.h>

#include <cstdint>
#include <string>

namespace idshift::fusell::storage {

enum class Answer : std::uint8_t { yes, no, unknown };

struct Traits {
    dev_t dev = 0;
    std::string fstype;  // as the mount table names it: "ext4", "fuse.glusterfs", ...
    bool remote_kind =
        false;             // FUSE or network storage by its magic: used where a probe cannot run
    bool writable = true;  // false: only what can be read was probed (read-only, or refused)
    int write_error = 0;   // why not writable
    Answer posix_acl = Answer::unknown;  // system.posix_acl_access answers (no: EOPNOTSUPP)
    Answer user_xattrs = Answer::unknown;
    Answer handles = Answer::unknown;           // name_to_handle_at
    Answer owner_from_creds = Answer::unknown;  // a file made with fsuid/fsgid X is owned by X
    Answer chown = Answer::unknown;             // the daemon may give a file away
    int chown_error = 0;
    // An open judged again by the storage with the opener's own ids, after the kernel allowed it
    // (FUSE and network storage: the server decides). The kernel opens a passthrough backing file
    // anew in every caller's open(2), with that caller's mount-side ids, so on such storage a
    // caller whose mount-side ids differ from its storage ids is refused there: EIO.
    Answer open_judged_by_storage = Answer::unknown;
    Answer tmpfile = Answer::unknown;
    Answer rename_exchange = Answer::unknown;
    Answer rename_noreplace = Answer::unknown;
    // Timestamps finer than a second (SFTP has whole seconds only): a change shows in the ctime.
    Answer fine_timestamps = Answer::unknown;
};

struct Adaptation {
    // The storage has POSIX ACLs: for the mount's root, negotiate FUSE_POSIX_ACL (the kernel then
    // enforces them); without, the kernel checks modes only and is spared the ACL round trips.
    bool acls = true;
    // A storage without ACLs below a mount that negotiated them: answer the ACL names with
    // ENODATA, as the kernel accepts for "no ACL" (it fails the permission check on EOPNOTSUPP).
    bool acl_enodata = false;
    // The storage ignores the creator's fsuid/fsgid: set the owner after create, as the daemon.
    bool owner_after_create = false;
    // ... and that chown is not refused (else the file is kept with the storage's owner).
    bool chown_after_create = false;
    // Files on it may use FUSE passthrough; otherwise they are served through the daemon.
    bool passthrough = true;
    // cache=auto may keep an unchanged file's page cache across opens (page_cache_version.hpp).
    // Not where timestamps are whole seconds: there, and behind the attribute cache such storage
    // keeps (sshfs: 20 s), an unchanged ctime does not show that nothing changed.
    bool keep_unchanged_cache = true;
    // The daemon's root is not root on the storage (a root-squashing server: the probe could not
    // write, or chown was refused, with EACCES or EPERM). Requests that come without the caller's
    // ids (FUSE_ALLOW_IDMAP) then run as an identity the inode's mode grants what they need
    // (vouched_identity.hpp) instead of as the daemon.
    bool vouch_withheld = false;
};

// What idshift does on storage `found`, below a mount whose root negotiated ACLs or not.
Adaptation adapt(const Traits& found, bool mount_negotiates_acls) noexcept;

// The two halves of the startup line: "ACLs no (EOPNOTSUPP), ..." and "kernel checks modes only
// (no POSIX ACLs negotiated), ...".
std::string describe_found(const Traits& found);
std::string describe_adaptation(const Adaptation& adaptation, const Traits& found);
// "storage 0:52 (fuse.glusterfs): found ...; idshift: ..."
std::string describe(const Traits& found, const Adaptation& adaptation);

}  // namespace idshift::fusell::storage

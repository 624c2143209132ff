// The probe's decisions over storage descriptions: what idshift does on each kind of storage, and
// the startup line that says so.
#include <sys/sysmacros.h>

#include <catch2/catch.hpp>

#include "storage/storage_traits.hpp"

using namespace idshift::fusell::storage;

namespace {

// Everything a local filesystem has.
Traits local() {
    Traits t;
    t.dev = makedev(8, 1);
    t.fstype = "ext4";
    t.posix_acl = t.user_xattrs = t.handles = t.owner_from_creds = t.chown = Answer::yes;
    t.open_judged_by_storage = Answer::no;
    t.tmpfile = t.rename_exchange = t.rename_noreplace = Answer::yes;
    t.fine_timestamps = Answer::yes;
    return t;
}

}  // namespace

TEST_CASE("storage: a local filesystem keeps everything as it was") {
    const Adaptation a = adapt(local(), true);
    CHECK(a.acls);
    CHECK_FALSE(a.acl_enodata);
    CHECK_FALSE(a.owner_after_create);
    CHECK_FALSE(a.chown_after_create);
    CHECK(a.passthrough);
    CHECK(a.keep_unchanged_cache);
    CHECK_FALSE(a.vouch_withheld);
    CHECK(describe(local(), a) ==
          "storage 8:1 (ext4): found ACLs yes, user xattrs yes, file handles yes, owner from creds "
          "yes, chown yes, opens judged by the storage no, O_TMPFILE yes, RENAME_EXCHANGE yes, "
          "RENAME_NOREPLACE yes; idshift: ACLs remapped and enforced by the kernel, passthrough "
          "allowed");
}

TEST_CASE("storage: no ACLs at the root means no POSIX ACLs negotiated, and modes only") {
    Traits t = local();
    t.fstype = "fuse.glusterfs";
    t.posix_acl = Answer::no;
    t.handles = Answer::no;
    t.tmpfile = Answer::no;
    t.rename_exchange = Answer::no;
    t.open_judged_by_storage = Answer::yes;
    const Adaptation a = adapt(t, false);
    CHECK_FALSE(a.acls);
    CHECK_FALSE(a.acl_enodata);  // the kernel never asks: nothing to answer
    CHECK_FALSE(a.passthrough);
    CHECK(describe_adaptation(a, t) ==
          "kernel checks modes only (no POSIX ACLs negotiated), files served through the daemon "
          "(the storage judges passthrough opens itself)");
}

TEST_CASE("storage: a submount without ACLs below a root with them answers ENODATA") {
    Traits t = local();
    t.posix_acl = Answer::no;
    const Adaptation a = adapt(t, true);
    CHECK_FALSE(a.acls);
    CHECK(a.acl_enodata);
    CHECK(describe_adaptation(a, t) == "ACL names answered with ENODATA, passthrough allowed");
}

TEST_CASE("storage: network and FUSE storage never get passthrough, even where opens pass") {
    Traits t = local();
    t.fstype = "fuse.sshfs";
    t.remote_kind = true;
    t.open_judged_by_storage = Answer::no;
    CHECK_FALSE(adapt(t, true).passthrough);
}

TEST_CASE("storage: an owner the storage ignores is set after create, or kept where refused") {
    Traits root_login = local();
    root_login.fstype = "fuse.sshfs";
    root_login.owner_from_creds = Answer::no;
    root_login.handles = Answer::no;
    root_login.user_xattrs = Answer::no;
    root_login.remote_kind = true;
    const Adaptation a = adapt(root_login, true);
    CHECK(a.owner_after_create);
    CHECK(a.chown_after_create);
    CHECK(describe_adaptation(a, root_login) ==
          "ACLs remapped and enforced by the kernel, owner set after create, files served through "
          "the daemon (network storage: writes reach it on close)");

    Traits plain_login = root_login;
    plain_login.chown = Answer::no;
    plain_login.chown_error = EACCES;
    const Adaptation b = adapt(plain_login, true);
    CHECK(b.owner_after_create);
    CHECK_FALSE(b.chown_after_create);
    CHECK(describe_found(plain_login) ==
          "ACLs yes, user xattrs no, file handles no, owner from creds no, chown no (EACCES), "
          "opens judged by the storage no, O_TMPFILE yes, RENAME_EXCHANGE yes, RENAME_NOREPLACE "
          "yes");
    CHECK(describe_adaptation(b, plain_login) ==
          "ACLs remapped and enforced by the kernel, new files keep the storage's owner (chown "
          "refused), files served through the daemon (network storage: writes reach it on close), "
          "requests without the caller's ids run as an identity the mode grants");
    CHECK(b.vouch_withheld);  // the daemon's root is not root there
    CHECK_FALSE(a.vouch_withheld);
}

TEST_CASE("storage: a root-squashing server is found by what the probe's root may not do") {
    CHECK_FALSE(adapt(local(), true).vouch_withheld);
    Traits squashed = local();
    squashed.fstype = "fuse.glusterfs";
    squashed.remote_kind = true;
    squashed.writable = false;
    squashed.write_error = EACCES;  // root could not make the probe's directory
    CHECK(adapt(squashed, true).vouch_withheld);
    squashed.write_error = EROFS;  // read-only: says nothing of root
    CHECK_FALSE(adapt(squashed, true).vouch_withheld);
    Traits squashed_writable = local();  // a world-writable root: root writes as nobody there
    squashed_writable.chown = Answer::no;
    squashed_writable.chown_error = EPERM;
    CHECK(adapt(squashed_writable, true).vouch_withheld);
}

TEST_CASE("storage: what could not be probed is judged by the kind of storage") {
    Traits ro;  // every answer unknown: a read-only SOURCE
    ro.dev = makedev(0, 40);
    ro.fstype = "xfs";
    ro.writable = false;
    ro.write_error = EROFS;
    ro.posix_acl = Answer::yes;
    const Adaptation local_ro = adapt(ro, true);
    CHECK(local_ro.acls);
    CHECK_FALSE(local_ro.owner_after_create);  // unknown: trusted, as before probing
    CHECK(local_ro.passthrough);
    CHECK(
        describe_found(ro).starts_with("read only (EROFS) (probed what can be read), ACLs yes, "
                                       "user xattrs unknown"));

    Traits remote = ro;
    remote.remote_kind = true;
    remote.posix_acl = Answer::unknown;
    const Adaptation r = adapt(remote, true);
    CHECK(r.acls);
    CHECK_FALSE(r.passthrough);
    CHECK(describe_adaptation(r, remote) ==
          "ACLs remapped and enforced by the kernel, files served through the daemon (network "
          "storage: writes reach it on close)");
}

TEST_CASE("storage: whole-second timestamps mean cache=auto reads every file anew on open") {
    Traits sftp = local();
    sftp.fstype = "fuse.sshfs";
    sftp.remote_kind = true;
    sftp.fine_timestamps = Answer::no;
    const Adaptation a = adapt(sftp, false);
    CHECK_FALSE(a.keep_unchanged_cache);
    CHECK(describe_found(sftp).ends_with(", RENAME_NOREPLACE yes, timestamps in whole seconds"));
    CHECK(describe_adaptation(a, sftp).ends_with(
        ", files served through the daemon (network storage: writes reach it on close), "
        "cache=auto reads a file anew on every open"));
    // Unknown (nothing could be stat'ed) keeps the reuse, as every unknown keeps what was.
    sftp.fine_timestamps = Answer::unknown;
    CHECK(adapt(sftp, false).keep_unchanged_cache);
}

// Cases about who may do what: permission errors, sticky directories, setgid directory
// inheritance, and the kernel's clearing of suid/sgid bits on write and on chown.
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>

#include "parity_case.hpp"

namespace idshift::robust {
namespace {

constexpr timespec kTimes[2] = {{1000000000, 0}, {1100000000, 0}};

Outcome create(const char* path, mode_t mode) {
    return from_fd(::open(path, O_CREAT | O_WRONLY | O_CLOEXEC, mode));
}

// The answer depends on a sysctl, read once when the table is built.
bool sysctl_enabled(const char* path) {
    int value = 0;
    std::ifstream(path) >> value;
    return value != 0;
}

}  // namespace

std::vector<ParityCase> cases_for_permissions() {
    CaseList alice(kAlice);
    const Outcome protected_link =
        sysctl_enabled("/proc/sys/fs/protected_hardlinks") ? fails(EPERM) : ok();
    alice.add("perm.read_private_file", fails(EACCES), [] { return create("r/secret", 0); })
        .add("perm.create_in_foreign_dir", fails(EACCES), [] { return create("r/n", 0644); })
        .add("perm.mkdir_in_foreign_dir", fails(EACCES), [] { return ok_if(::mkdir("r/n", 0755)); })
        .add("perm.mkfifo_in_foreign_dir", fails(EACCES),
             [] { return ok_if(::mkfifo("r/n", 0644)); })
        .add("perm.symlink_in_foreign_dir", fails(EACCES),
             [] { return ok_if(::symlink("x", "r/n")); })
        .add("perm.link_into_foreign_dir", fails(EACCES),
             [] { return ok_if(::link("w/f", "r/n")); })
        .add("perm.unlink_in_foreign_dir", fails(EACCES),
             [] { return ok_if(::unlink("r/public")); })
        .add("perm.rename_in_foreign_dir", fails(EACCES),
             [] { return ok_if(::rename("r/public", "r/n")); })
        .add("perm.rename_out_of_foreign_dir", fails(EACCES),
             [] { return ok_if(::rename("r/public", "w/n")); })
        .add("perm.truncate_foreign_file", fails(EACCES),
             [] { return ok_if(::truncate("r/public", 0)); })
        .add("perm.chmod_foreign_file", fails(EPERM),
             [] { return ok_if(::chmod("r/public", 0777)); })
        .add("perm.chown_foreign_file", fails(EPERM),
             [] { return ok_if(::chown("r/public", kAlice.uid, kAlice.gid)); })
        .add("perm.utimensat_explicit_foreign_file", fails(EPERM),
             [] { return ok_if(::utimensat(AT_FDCWD, "r/public", kTimes, 0)); })
        .add("perm.utimensat_now_foreign_readonly", fails(EACCES),
             [] { return ok_if(::utimensat(AT_FDCWD, "r/public", nullptr, 0)); })
        .add("perm.utimensat_now_foreign_writable", ok(),
             [] { return ok_if(::utimensat(AT_FDCWD, "o/shared", nullptr, 0)); })
        .add("perm.utimensat_explicit_foreign_writable", fails(EPERM),
             [] { return ok_if(::utimensat(AT_FDCWD, "o/shared", kTimes, 0)); })
        .add("perm.search_denied", fails(EACCES), [] { return create("p/f", 0); })
        .add("perm.write_foreign_writable", ok(),
             [] { return write_at("o/shared", O_WRONLY, 0, "X"); })
        .add("perm.hardlink_foreign_unreadable", protected_link,
             [] { return ok_if(::link("r/secret", "w/n")); })
        .add("perm.hardlink_foreign_readonly", protected_link,
             [] { return ok_if(::link("r/public", "w/n")); })
        .add("perm.hardlink_foreign_writable", ok(),
             [] { return ok_if(::link("o/shared", "w/n")); });
    CaseList root(kRoot);
    root.add("perm.root_reads_private", ok(), [] { return create("p/f", 0); })
        .add("perm.root_hardlinks_anything", ok(), [] { return ok_if(::link("r/secret", "w/n")); });
    auto cases = alice.take();
    for (auto& entry : root.take())
        cases.push_back(std::move(entry));
    return cases;
}

std::vector<ParityCase> cases_for_sticky_and_setgid() {
    const Outcome protected_regular =
        sysctl_enabled("/proc/sys/fs/protected_regular") ? fails(EACCES) : ok();
    CaseList bob(kBob);
    bob.add("sticky.unlink_others_file", fails(EPERM), [] { return ok_if(::unlink("t/alice")); })
        .add("sticky.rename_others_file", fails(EPERM),
             [] { return ok_if(::rename("t/alice", "t/n")); })
        .add("sticky.rename_over_others_file", fails(EPERM),
             [] { return ok_if(::rename("t/bob", "t/alice")); })
        .add("sticky.rmdir_others_dir", fails(EPERM), [] { return ok_if(::rmdir("t/alice_d")); })
        .add("sticky.unlink_own_file", ok(), [] { return ok_if(::unlink("t/bob")); })
        .add("sticky.create_new_file", ok(), [] { return create("t/n", 0644); })
        .add("sticky.open_others_writable_file_with_create", protected_regular,
             [] { return create("t/alice_w", 0644); })
        .add(
            "sticky.dir_owner_unlinks_others_file", ok(), [] { return ok_if(::unlink("u/alice")); },
            [](TreeBuilder& tree) {
                tree.dir("u", 01777, owner_of(kBob));
                tree.file("u/alice", 0644, owner_of(kAlice), "a");
            })
        .add("setgid.create_as_member_keeps_setgid_bit", ok(), [] { return create("s/n", 02755); })
        .add("setgid.chgrp_foreign_dir_denied", fails(EPERM),
             [] { return ok_if(::chown("s", -1, kTeamGroup)); });
    CaseList alice(kAlice);
    alice.add("sticky.unlink_own_file", ok(), [] { return ok_if(::unlink("t/alice")); })
        .add("sticky.rename_own_file", ok(), [] { return ok_if(::rename("t/alice", "t/n")); })
        .add("sticky.rmdir_own_dir", ok(), [] { return ok_if(::rmdir("t/alice_d")); })
        .add("setgid.create_file_takes_dir_group", ok(), [] { return create("s/n", 0644); })
        .add("setgid.create_setgid_file_as_nonmember", ok(), [] { return create("s/n", 02755); })
        .add("setgid.mkdir_inherits", ok(), [] { return ok_if(::mkdir("s/n", 0755)); })
        .add(
            "setgid.mkdir_nested_inherits", ok(),
            [] { return ::mkdir("s/n", 0755) != 0 ? fails(errno) : ok_if(::mkdir("s/n/m", 0700)); })
        .add("setgid.mkfifo_takes_dir_group", ok(), [] { return ok_if(::mkfifo("s/n", 0644)); })
        .add("setgid.mknod_takes_dir_group", ok(),
             [] { return ok_if(::mknod("s/n", S_IFREG | 0640, 0)); })
        .add("setgid.symlink_takes_dir_group", ok(), [] { return ok_if(::symlink("x", "s/n")); })
        .add("setgid.link_keeps_own_group", ok(), [] { return ok_if(::link("w/f", "s/n")); })
        .add("setgid.rename_keeps_own_group", ok(), [] { return ok_if(::rename("w/f", "s/n")); });
    CaseList root(kRoot);
    root.add("sticky.root_unlinks_others_file", ok(), [] { return ok_if(::unlink("t/alice")); })
        .add("setgid.root_create_takes_dir_group", ok(), [] { return create("s/n", 0644); })
        .add("setgid.root_mkdir_inherits", ok(), [] { return ok_if(::mkdir("s/n", 0700)); })
        .add("setgid.root_chown_dir_keeps_bit", ok(),
             [] { return ok_if(::chown("s", 0, kTeamGroup)); });
    auto cases = bob.take();
    for (auto* more : {&alice, &root}) {
        for (auto& entry : more->take())
            cases.push_back(std::move(entry));
    }
    return cases;
}

std::vector<ParityCase> cases_for_privilege_clearing() {
    const auto one_byte = [](const char* path) {
        return [path] { return write_at(path, O_WRONLY, 0, "X"); };
    };
    CaseList alice(kAlice);
    alice.add("clear.write_suid_foreign", ok(), one_byte("o/suid"))
        .add("clear.write_sgid_foreign", ok(), one_byte("o/sgid"))
        .add("clear.write_sgid_without_group_exec_nonmember", ok(), one_byte("o/sgid_nox"))
        .add("clear.truncate_sgid_without_group_exec_nonmember", ok(),
             [] { return ok_if(::truncate("o/sgid_nox", 3)); })
        .add("clear.fallocate_sgid_without_group_exec_nonmember", ok(),
             [] {
                 return on_open("o/sgid_nox", O_WRONLY, [](int fd) {
                     return static_cast<long>(::fallocate(fd, 0, 0, 65536));
                 });
             })
        .add("clear.write_suid_and_sgid_foreign", ok(), one_byte("o/both"))
        .add("clear.write_suid_own", ok(), one_byte("o/alice_suid"))
        .add("clear.append_suid_foreign", ok(),
             [] { return write_at("o/suid", O_WRONLY | O_APPEND, 0, "X"); })
        .add("clear.truncate_suid_foreign", ok(), [] { return ok_if(::truncate("o/suid", 3)); })
        .add("clear.ftruncate_suid_foreign", ok(),
             [] { return on_open("o/suid", O_WRONLY, [](int fd) { return ::ftruncate(fd, 3); }); })
        .add("clear.open_truncate_suid_foreign", ok(),
             [] { return from_fd(::open("o/suid", O_WRONLY | O_TRUNC | O_CLOEXEC)); })
        .add("clear.fallocate_suid_foreign", ok(),
             [] {
                 return on_open("o/suid", O_WRONLY, [](int fd) {
                     errno = ::posix_fallocate(fd, 0, 65536);
                     return errno == 0 ? 0L : -1L;
                 });
             })
        .add(
            "clear.chgrp_own_setid_file", ok(),
            [] { return ok_if(::chown("w/f", -1, kAlice.gid)); },
            [](TreeBuilder& tree) { tree.chmod("w/f", 06755); })
        .add("clear.chmod_keeps_own_suid", ok(),
             [] { return ok_if(::chmod("o/alice_suid", 04700)); });
    CaseList bob(kBob);
    bob.add("clear.write_sgid_without_group_exec_member", ok(), one_byte("o/sgid_nox"))
        .add("clear.write_sgid_member", ok(), one_byte("o/sgid"))
        .add(
            "clear.chgrp_own_setgid_file_to_team", ok(),
            [] { return ok_if(::chown("w/f", -1, kTeamGroup)); },
            [](TreeBuilder& tree) { tree.chmod("w/f", 02775); });
    CaseList root(kRoot);
    root.add("clear.root_write_keeps_suid", ok(), one_byte("o/suid"))
        .add("clear.root_write_keeps_sgid", ok(), one_byte("o/both"))
        .add("clear.root_chown_clears_suid", ok(), [] { return ok_if(::chown("o/suid", 0, 0)); })
        .add("clear.root_chown_clears_both", ok(),
             [] { return ok_if(::chown("o/both", kAlice.uid, kTeamGroup)); })
        .add("clear.root_chown_keeps_sgid_without_group_exec", ok(),
             [] { return ok_if(::chown("o/sgid_nox", kBob.uid, -1)); })
        .add(
            "clear.root_chown_symlink_leaves_target", ok(),
            [] { return ok_if(::lchown("w/l", kAlice.uid, kAlice.gid)); },
            [](TreeBuilder& tree) { tree.chmod("w/f", 04755); });
    auto cases = alice.take();
    for (auto* more : {&bob, &root}) {
        for (auto& entry : more->take())
            cases.push_back(std::move(entry));
    }
    return cases;
}

}  // namespace idshift::robust

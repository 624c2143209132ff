// Calls that change existing entries, run by every caller inside the caller's own workspace w/.
#include <fcntl.h>
#include <linux/falloc.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "parity_case.hpp"

namespace idshift::robust {
namespace {

constexpr timespec kAtime{1000000000, 123456789};
constexpr timespec kMtime{1100000000, 987654321};

Outcome set_times(const char* path, timespec atime, timespec mtime, int flags = 0) {
    const timespec times[2] = {atime, mtime};
    return ok_if(::utimensat(AT_FDCWD, path, times, flags));
}

Outcome allocate(const char* path, int flags, int mode, off_t offset, off_t length) {
    return on_open(path, flags, [=](int fd) {
        return static_cast<long>(::fallocate(fd, mode, offset, length));
    });
}

Outcome posix_allocate(const char* path, int flags, off_t offset, off_t length) {
    const int fd = ::open(path, flags | O_CLOEXEC);
    if (fd < 0) return fails(errno);
    const int result = ::posix_fallocate(fd, offset, length);
    ::close(fd);
    return from_error_number(result);
}

void add_chmod_chown_cases(CaseList& list) {
    const Outcome root_only = list.is_root() ? ok() : fails(EPERM);
    const Outcome team_member = list.caller().uid == kAlice.uid ? fails(EPERM) : ok();
    const uid_t uid = list.caller().uid;
    const gid_t gid = list.caller().gid;
    const Caller& other = uid == kAlice.uid ? kBob : kAlice;
    list.add("chmod.file", ok(), [] { return ok_if(::chmod("w/f", 0600)); })
        .add("chmod.dir", ok(), [] { return ok_if(::chmod("w/d", 0700)); })
        .add("chmod.through_symlink", ok(), [] { return ok_if(::chmod("w/l", 0640)); })
        .add("chmod.missing", fails(ENOENT), [] { return ok_if(::chmod("w/nope", 0644)); })
        .add("chmod.setuid", ok(), [] { return ok_if(::chmod("w/f", 04755)); })
        .add("chmod.sticky_on_file", ok(), [] { return ok_if(::chmod("w/f", 01644)); })
        .add(
            "chmod.setgid_foreign_group", ok(), [] { return ok_if(::chmod("w/f", 02755)); },
            [=](TreeBuilder& tree) {
                tree.chown("w/f", Owner{uid, kTeamGroup});
            })
        .add("chmod.nofollow_symlink", fails(EOPNOTSUPP),
             [] { return ok_if(::fchmodat(AT_FDCWD, "w/l", 0600, AT_SYMLINK_NOFOLLOW)); })
        .add("chown.same_owner", ok(), [=] { return ok_if(::chown("w/f", uid, gid)); })
        .add("chown.no_change", ok(), [] { return ok_if(::chown("w/f", -1, -1)); })
        .add("chown.own_group", ok(), [=] { return ok_if(::chown("w/f", -1, gid)); })
        .add("chown.symlink_itself", ok(), [=] { return ok_if(::lchown("w/l", uid, gid)); })
        .add("chown.missing", fails(ENOENT), [=] { return ok_if(::chown("w/nope", uid, gid)); })
        .add("chown.give_to_root", root_only, [] { return ok_if(::chown("w/f", 0, 0)); })
        .add("chown.give_to_other_user", root_only,
             [=] { return ok_if(::chown("w/f", other.uid, other.gid)); })
        .add("chown.team_group", team_member, [] { return ok_if(::chown("w/f", -1, kTeamGroup)); })
        .add("chown.dir_team_group", team_member,
             [] { return ok_if(::chown("w/d", -1, kTeamGroup)); });
}

void add_rename_cases(CaseList& list) {
    list.add("rename.file", ok(), [] { return ok_if(::rename("w/f", "w/n")); })
        .add("rename.over_file", ok(), [] { return ok_if(::rename("w/f", "w/g")); })
        .add("rename.dir", ok(), [] { return ok_if(::rename("w/d", "w/n")); })
        .add("rename.dir_over_empty_dir", ok(), [] { return ok_if(::rename("w/d", "w/e")); })
        .add("rename.dir_over_nonempty_dir", fails(ENOTEMPTY),
             [] { return ok_if(::rename("w/e", "w/d")); })
        .add("rename.file_over_dir", fails(EISDIR), [] { return ok_if(::rename("w/f", "w/e")); })
        .add("rename.dir_over_file", fails(ENOTDIR), [] { return ok_if(::rename("w/d", "w/f")); })
        .add("rename.missing", fails(ENOENT), [] { return ok_if(::rename("w/nope", "w/n")); })
        .add("rename.into_own_subdir", fails(EINVAL),
             [] { return ok_if(::rename("w/d", "w/d/sub")); })
        .add("rename.noreplace_existing", fails(EEXIST),
             [] { return ok_if(::renameat2(AT_FDCWD, "w/f", AT_FDCWD, "w/g", RENAME_NOREPLACE)); })
        .add("rename.noreplace_new", ok(),
             [] { return ok_if(::renameat2(AT_FDCWD, "w/f", AT_FDCWD, "w/n", RENAME_NOREPLACE)); })
        .add("rename.exchange_files", ok(),
             [] { return ok_if(::renameat2(AT_FDCWD, "w/f", AT_FDCWD, "w/g", RENAME_EXCHANGE)); })
        .add("rename.exchange_file_and_dir", ok(),
             [] { return ok_if(::renameat2(AT_FDCWD, "w/f", AT_FDCWD, "w/d", RENAME_EXCHANGE)); })
        .add("rename.exchange_missing", fails(ENOENT),
             [] { return ok_if(::renameat2(AT_FDCWD, "w/f", AT_FDCWD, "w/n", RENAME_EXCHANGE)); })
        .add(
            "rename.same_inode", ok(), [] { return ok_if(::rename("w/f", "w/h")); },
            [](TreeBuilder& tree) { tree.hardlink("w/f", "w/h"); })
        .add("rename.into_subdir", ok(), [] { return ok_if(::rename("w/f", "w/d/f")); })
        .add("rename.dir_into_sibling", ok(), [] { return ok_if(::rename("w/e", "w/d/e")); })
        .add("rename.dot", fails(EBUSY), [] { return ok_if(::rename("w/d/.", "w/n")); })
        .add("rename.symlink_itself", ok(), [] { return ok_if(::rename("w/l", "w/n")); })
        .add("rename.missing_target_parent", fails(ENOENT),
             [] { return ok_if(::rename("w/f", "w/nope/f")); });
}

void add_remove_cases(CaseList& list) {
    list.add("rmdir.empty", ok(), [] { return ok_if(::rmdir("w/e")); })
        .add("rmdir.nonempty", fails(ENOTEMPTY), [] { return ok_if(::rmdir("w/d")); })
        .add("rmdir.file", fails(ENOTDIR), [] { return ok_if(::rmdir("w/f")); })
        .add("rmdir.missing", fails(ENOENT), [] { return ok_if(::rmdir("w/nope")); })
        .add("rmdir.dot", fails(EINVAL), [] { return ok_if(::rmdir("w/e/.")); })
        .add("rmdir.symlink_to_dir", fails(ENOTDIR), [] { return ok_if(::rmdir("w/ld")); })
        .add("rmdir.trailing_slash", ok(), [] { return ok_if(::rmdir("w/e/")); })
        .add("unlink.file", ok(), [] { return ok_if(::unlink("w/f")); })
        .add("unlink.dir", fails(EISDIR), [] { return ok_if(::unlink("w/d")); })
        .add("unlink.missing", fails(ENOENT), [] { return ok_if(::unlink("w/nope")); })
        .add("unlink.symlink_itself", ok(), [] { return ok_if(::unlink("w/l")); })
        .add("unlink.dangling_symlink", ok(), [] { return ok_if(::unlink("w/dangling")); })
        .add("unlink.trailing_slash", fails(ENOTDIR), [] { return ok_if(::unlink("w/f/")); })
        .add("unlink.missing_parent", fails(ENOENT), [] { return ok_if(::unlink("w/nope/f")); })
        .add(
            "unlink.one_of_two_links", ok(), [] { return ok_if(::unlink("w/f")); },
            [](TreeBuilder& tree) { tree.hardlink("w/f", "w/h"); });
}

void add_size_cases(CaseList& list) {
    list.add("truncate.shrink", ok(), [] { return ok_if(::truncate("w/f", 2)); })
        .add("truncate.grow", ok(), [] { return ok_if(::truncate("w/f", 100000)); })
        .add("truncate.dir", fails(EISDIR), [] { return ok_if(::truncate("w/d", 0)); })
        .add("truncate.missing", fails(ENOENT), [] { return ok_if(::truncate("w/nope", 0)); })
        .add("truncate.negative", fails(EINVAL), [] { return ok_if(::truncate("w/f", -1)); })
        .add("truncate.through_symlink", ok(), [] { return ok_if(::truncate("w/l", 1)); })
        .add("truncate.beyond_max_size", fails(EFBIG),
             [] { return ok_if(::truncate("w/f", 1LL << 62)); })
        .add("ftruncate.grow", ok(),
             [] { return on_open("w/f", O_WRONLY, [](int fd) { return ::ftruncate(fd, 5000); }); })
        .add("ftruncate.read_only_fd", fails(EINVAL),
             [] { return on_open("w/f", O_RDONLY, [](int fd) { return ::ftruncate(fd, 1); }); })
        .add("ftruncate.negative", fails(EINVAL),
             [] { return on_open("w/f", O_RDWR, [](int fd) { return ::ftruncate(fd, -5); }); })
        .add("ftruncate.directory_fd", fails(EINVAL),
             [] { return on_open("w/d", O_RDONLY, [](int fd) { return ::ftruncate(fd, 0); }); })
        .add("fallocate.extend", ok(), [] { return posix_allocate("w/f", O_WRONLY, 0, 100000); })
        .add("fallocate.inside", ok(), [] { return posix_allocate("w/f", O_RDWR, 0, 3); })
        .add("fallocate.read_only_fd", fails(EBADF),
             [] { return posix_allocate("w/f", O_RDONLY, 0, 10); })
        .add("fallocate.negative_offset", fails(EINVAL),
             [] { return posix_allocate("w/f", O_WRONLY, -1, 10); })
        .add("fallocate.zero_length", fails(EINVAL),
             [] { return posix_allocate("w/f", O_WRONLY, 0, 0); })
        .add("fallocate.keep_size", ok(),
             [] { return allocate("w/f", O_WRONLY, FALLOC_FL_KEEP_SIZE, 0, 65536); })
        .add("fallocate.punch_hole", ok(),
             [] {
                 return allocate("w/f", O_WRONLY, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 2);
             })
        .add("fallocate.punch_without_keep_size", fails(EOPNOTSUPP),
             [] { return allocate("w/f", O_WRONLY, FALLOC_FL_PUNCH_HOLE, 0, 2); });
}

void add_time_cases(CaseList& list) {
    const timespec now{0, UTIME_NOW};
    const timespec omit{0, UTIME_OMIT};
    list.add("utimensat.explicit", ok(), [] { return set_times("w/f", kAtime, kMtime); }, {},
             {"w/f"})
        .add("utimensat.now", ok(), [=] { return set_times("w/f", now, now); })
        .add("utimensat.omit_both", ok(), [=] { return set_times("w/f", omit, omit); })
        .add(
            "utimensat.atime_only", ok(), [=] { return set_times("w/f", kAtime, omit); },
            [](TreeBuilder& tree) { tree.times("w/f", kMtime, kAtime); }, {"w/f"})
        .add(
            "utimensat.mtime_only", ok(), [=] { return set_times("w/f", omit, kMtime); },
            [](TreeBuilder& tree) { tree.times("w/f", kMtime, kAtime); }, {"w/f"})
        .add("utimensat.symlink_itself", ok(),
             [] { return set_times("w/l", kAtime, kMtime, AT_SYMLINK_NOFOLLOW); }, {}, {"w/l"})
        .add("utimensat.through_symlink", ok(), [] { return set_times("w/l", kAtime, kMtime); }, {},
             {"w/f"})
        .add("utimensat.dir", ok(), [] { return set_times("w/d", kAtime, kMtime); }, {}, {"w/d"})
        .add("utimensat.missing", fails(ENOENT), [] { return set_times("w/nope", kAtime, kMtime); })
        .add("utimensat.bad_nanoseconds", fails(EINVAL), [] {
            return set_times("w/f", timespec{1, 2000000000}, kMtime);
        });
}

}  // namespace

std::vector<ParityCase> cases_for_changes(const Caller& caller) {
    CaseList list(caller);
    add_chmod_chown_cases(list);
    add_rename_cases(list);
    add_remove_cases(list);
    add_size_cases(list);
    add_time_cases(list);
    return list.take();
}

}  // namespace idshift::robust

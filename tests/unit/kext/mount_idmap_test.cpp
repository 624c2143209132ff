// Real-kernel check of FUSE_ALLOW_IDMAP: an idmapped mount of the FUSE mount can be made only when
// the flag was negotiated.
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include <cerrno>
#include <string>

#include "mount_support.hpp"
#include "test_fs.hpp"

namespace kext = idshift::fusell::kext;
using kext::test::Fd;
using kext::test::pattern;
using kext::test::Scratch;
using kext::test::TestFs;
using kext::test::TestFsConfig;
using kext::test::write_file;

namespace {

constexpr uid_t kShift = 100000;

// A user namespace mapping 0..65535 to kShift..: a child unshares it and waits on a pipe while
// the parent writes its maps and opens /proc/<child>/ns/user.
Fd shifted_userns() {
    int ready[2];
    int done[2];
    REQUIRE(::pipe2(ready, O_CLOEXEC) == 0);
    REQUIRE(::pipe2(done, O_CLOEXEC) == 0);
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::close(ready[0]);
        ::close(done[1]);  // or the read below never sees end of file
        char byte = 0;
        const int rc = ::unshare(CLONE_NEWUSER) == 0 ? 0 : 1;
        (void)!::write(ready[1], &byte, 1);
        (void)!::read(done[0], &byte, 1);  // returns when the parent closes its end
        ::_exit(rc);
    }
    REQUIRE(pid > 0);
    ::close(ready[1]);
    ::close(done[0]);
    char byte = 0;
    REQUIRE(::read(ready[0], &byte, 1) == 1);
    ::close(ready[0]);
    const std::string proc = "/proc/" + std::to_string(pid);
    const std::string map = "0 " + std::to_string(kShift) + " 65536";
    for (const char* file : {"/uid_map", "/gid_map"}) {
        const Fd fd(::open((proc + file).c_str(), O_WRONLY | O_CLOEXEC));
        REQUIRE(fd.get() >= 0);
        REQUIRE(::write(fd.get(), map.data(), map.size()) == static_cast<ssize_t>(map.size()));
    }
    Fd userns(::open((proc + "/ns/user").c_str(), O_RDONLY | O_CLOEXEC));
    ::close(done[1]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    REQUIRE(userns.get() >= 0);
    REQUIRE((WIFEXITED(status) && WEXITSTATUS(status) == 0));
    return userns;
}

// A detached clone of the mount at `mnt`, and the errno of idmapping it (0 on success). The clone
// pins the FUSE superblock: close it before the test filesystem unmounts.
struct IdmapAttempt {
    Fd tree;
    int error = 0;
};

IdmapAttempt idmap_clone(const std::string& mnt, int userns_fd) {
    IdmapAttempt attempt;
    attempt.tree = Fd(::open_tree(AT_FDCWD, mnt.c_str(), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC));
    if (attempt.tree.get() < 0) {
        attempt.error = errno;
        return attempt;
    }
    mount_attr attr{};
    attr.attr_set = MOUNT_ATTR_IDMAP;
    attr.userns_fd = static_cast<std::uint64_t>(userns_fd);
    if (::mount_setattr(attempt.tree.get(), "", AT_EMPTY_PATH, &attr, sizeof(attr)) != 0) {
        attempt.error = errno;
    }
    return attempt;
}

}  // namespace

TEST_CASE("an idmapped mount of the mount needs FUSE_ALLOW_IDMAP", "[kext][mount][idmap]") {
    Scratch scratch;
    write_file(scratch.backing("owned-by-root"), pattern(16, 15), 0644);
    const Fd userns = shifted_userns();

    SECTION("negotiated: the idmapped clone shows shifted owners") {
        TestFsConfig config;
        config.kext.allow_idmap = true;
        TestFs fs(scratch.backing(), scratch.mnt(), config);
        REQUIRE(fs.kext().status().allow_idmap.available);
        IdmapAttempt attempt = idmap_clone(scratch.mnt(), userns.get());
        REQUIRE(attempt.error == 0);

        const std::string target = scratch.root() + "/idmapped";
        REQUIRE(::mkdir(target.c_str(), 0755) == 0);
        const int moved =
            ::move_mount(attempt.tree.get(), "", AT_FDCWD, target.c_str(), MOVE_MOUNT_F_EMPTY_PATH);
        attempt.tree.reset();
        REQUIRE(moved == 0);
        struct stat st {};
        const int stat_rc = ::stat((target + "/owned-by-root").c_str(), &st);
        REQUIRE(::umount2(target.c_str(), 0) == 0);
        REQUIRE(stat_rc == 0);
        CHECK(st.st_uid == kShift);
        CHECK(st.st_gid == kShift);
    }
    SECTION("not negotiated: mount_setattr refuses with EINVAL") {
        TestFs fs(scratch.backing(), scratch.mnt(), TestFsConfig{});
        REQUIRE_FALSE(fs.kext().status().allow_idmap.negotiated);
        CHECK(idmap_clone(scratch.mnt(), userns.get()).error == EINVAL);
    }
    SECTION("without default_permissions the module declines, and the mount still works") {
        TestFsConfig config;
        config.kext.allow_idmap = true;
        config.kext.default_permissions = false;
        TestFs fs(scratch.backing(), scratch.mnt(), config);
        CHECK(fs.kext().status().allow_idmap.reason == kext::Reason::needs_default_permissions);
        struct stat st {};
        CHECK(::stat(scratch.mnt("owned-by-root").c_str(), &st) == 0);
        CHECK(idmap_clone(scratch.mnt(), userns.get()).error == EINVAL);
    }
}

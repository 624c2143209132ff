// Real-kernel checks of FUSE_HANDLE_KILLPRIV_V2: the per-write security.capability lookup goes
// away, and suid/sgid are still cleared as the backing filesystem clears them natively.
#include <linux/fuse.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include <random>

#include "mount_support.hpp"
#include "test_fs.hpp"

namespace kext = idshift::fusell::kext;
using kext::test::Fd;
using kext::test::mode_of;
using kext::test::pattern;
using kext::test::run_as_other_user;
using kext::test::Scratch;
using kext::test::TestFs;
using kext::test::TestFsConfig;
using kext::test::write_file;

namespace {

constexpr mode_t kSetuidWorldWritable = 04777;

// 500 random 4 KiB writes into one open file through the mount.
void random_writes(const std::string& path) {
    const Fd fd(::open(path.c_str(), O_RDWR | O_CLOEXEC));
    REQUIRE(fd.get() >= 0);
    const std::vector<char> block = pattern(4096, 7);
    std::mt19937 rng(42);
    std::uniform_int_distribution<int> slot(0, 255);
    for (int i = 0; i < 500; ++i) {
        REQUIRE(::pwrite(fd.get(), block.data(), block.size(), off_t{slot(rng)} * 4096) == 4096);
    }
}

// A write of 4 bytes at offset 0 by kOtherUid, who does not own `path`.
int write_as_other(const char* path) {
    return run_as_other_user([path] {
        const int fd = ::open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0) return errno;
        const int rc = ::write(fd, "next", 4) == 4 ? 0 : errno;
        ::close(fd);
        return rc;
    });
}

// The mode a native write by kOtherUid leaves on a setuid file of the backing filesystem.
mode_t native_mode_after_other_write(const Scratch& scratch) {
    const std::string native = scratch.backing("native-reference");
    write_file(native, pattern(4096, 8), kSetuidWorldWritable);
    REQUIRE(write_as_other(native.c_str()) == 0);
    return mode_of(native);
}

}  // namespace

TEST_CASE("with killpriv_v2, 500 random writes ask for security.capability at most once",
          "[kext][mount][killpriv]") {
    Scratch scratch;
    write_file(scratch.backing("big"), std::vector<char>(1 << 20, 0), 0644);

    SECTION("killpriv_v2 negotiated") {
        TestFs fs(scratch.backing(), scratch.mnt(), TestFsConfig{});
        REQUIRE(fs.kext().status().killpriv_v2.available);
        random_writes(scratch.mnt("big"));
        CHECK(fs.capability_getxattrs.load() <= 1U);
        CHECK(fs.kext().request_count(FUSE_WRITE) == 0U);
    }
    SECTION("killpriv_v2 off: the kernel asks before every write") {
        TestFsConfig config;
        config.kext.killpriv_v2 = false;
        TestFs fs(scratch.backing(), scratch.mnt(), config);
        REQUIRE_FALSE(fs.kext().status().killpriv_v2.negotiated);
        random_writes(scratch.mnt("big"));
        CHECK(fs.capability_getxattrs.load() >= 500U);
    }
}

TEST_CASE("a root write through passthrough keeps suid, as natively: the id has CAP_FSETID",
          "[kext][mount][killpriv]") {
    Scratch scratch;
    write_file(scratch.backing("suid"), pattern(4096, 9), 0777);
    TestFsConfig config;
    config.kext.default_permissions = true;  // as idshift mounts
    TestFs fs(scratch.backing(), scratch.mnt(), config);
    // The file turns setuid while root holds it open for passthrough (set-id files themselves are
    // not opened for passthrough by idshift). The kernel writes the backing file with the
    // credentials of BACKING_OPEN, which the registry issues with CAP_FSETID raised, so the bits
    // stay as they do natively for root. That an ordinary writer still clears them (the kernel's
    // kill request, with the writer's own rights) is proven through the real daemon in
    // tests/integration/setid_open_test.cpp.
    const Fd held(::open(scratch.mnt("suid").c_str(), O_RDWR | O_CLOEXEC));
    REQUIRE(held.get() >= 0);
    REQUIRE(fs.open_backing_ids().at(0) > 0);
    REQUIRE(::chmod(scratch.mnt("suid").c_str(), kSetuidWorldWritable) == 0);
    CHECK(::pwrite(held.get(), "root", 4, 0) == 4);
    CHECK((mode_of(scratch.backing("suid")) & 07777) == kSetuidWorldWritable);
    CHECK(fs.kext().request_count(FUSE_WRITE) == 0U);
}

TEST_CASE("a non-owner's FUSE write carries the kill flag, and honouring it clears suid",
          "[kext][mount][killpriv]") {
    Scratch scratch;
    const mode_t native = native_mode_after_other_write(scratch);
    write_file(scratch.backing("suid"), pattern(4096, 10), kSetuidWorldWritable);
    TestFsConfig config;
    config.kext.passthrough = false;

    SECTION("honoured with FsetidGuard: cleared as natively") {
        TestFs fs(scratch.backing(), scratch.mnt(), config);
        CHECK(write_as_other(scratch.mnt("suid").c_str()) == 0);
        CHECK(fs.kext().request_count(FUSE_WRITE) == 1U);
        CHECK(fs.kill_flag_requests.load() == 1U);
        CHECK(mode_of(scratch.backing("suid")) == native);
    }
    SECTION("ignored: the root daemon's write keeps the bit") {
        config.honour_kill_flags = false;
        TestFs fs(scratch.backing(), scratch.mnt(), config);
        CHECK(write_as_other(scratch.mnt("suid").c_str()) == 0);
        CHECK(fs.kill_flag_requests.load() == 1U);
        CHECK((mode_of(scratch.backing("suid")) & 07777) == kSetuidWorldWritable);
    }
}

TEST_CASE("truncation by a non-owner clears suid: O_TRUNC and ftruncate",
          "[kext][mount][killpriv]") {
    Scratch scratch;
    write_file(scratch.backing("trunc-open"), pattern(4096, 11), kSetuidWorldWritable);
    write_file(scratch.backing("trunc-setattr"), pattern(4096, 12), kSetuidWorldWritable);
    TestFs fs(scratch.backing(), scratch.mnt(), TestFsConfig{});

    const std::string open_path = scratch.mnt("trunc-open");
    CHECK(run_as_other_user([path = open_path.c_str()] {
              const int fd = ::open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
              if (fd < 0) return errno;
              ::close(fd);
              return 0;
          }) == 0);
    CHECK(fs.kill_flag_requests.load() == 1U);  // FUSE_OPEN_KILL_SUIDGID
    CHECK((mode_of(scratch.backing("trunc-open")) & 07777) == 0777);

    const std::string setattr_path = scratch.mnt("trunc-setattr");
    CHECK(run_as_other_user([path = setattr_path.c_str()] {
              const int fd = ::open(path, O_WRONLY | O_CLOEXEC);
              if (fd < 0) return errno;
              const int rc = ::ftruncate(fd, 100) == 0 ? 0 : errno;
              ::close(fd);
              return rc;
          }) == 0);
    bool saw_kill = false;
    for (const int to_set : fs.setattr_masks()) {
        if ((to_set & FUSE_SET_ATTR_SIZE) && (to_set & FUSE_SET_ATTR_KILL_SUID)) saw_kill = true;
    }
    CHECK(saw_kill);  // FATTR_KILL_SUIDGID, passed through by libfuse 3.14 as KILL_SUID
    CHECK((mode_of(scratch.backing("trunc-setattr")) & 07777) == 0777);
}

TEST_CASE("chown through the mount clears suid as the backing chown does",
          "[kext][mount][killpriv]") {
    Scratch scratch;
    write_file(scratch.backing("native-chown"), pattern(64, 13), 04755);
    REQUIRE(::chown(scratch.backing("native-chown").c_str(), kext::test::kOtherUid, -1) == 0);
    write_file(scratch.backing("chowned"), pattern(64, 14), 04755);
    TestFs fs(scratch.backing(), scratch.mnt(), TestFsConfig{});
    REQUIRE(::chown(scratch.mnt("chowned").c_str(), kext::test::kOtherUid, -1) == 0);
    CHECK(mode_of(scratch.backing("chowned")) == mode_of(scratch.backing("native-chown")));
    CHECK((mode_of(scratch.backing("chowned")) & 07777) == 0755);
}

// Real-kernel checks of the passthrough negotiation and the backing registry, through the test
// fixture filesystem (test_fs.hpp). Needs root and /dev/fuse; main() skips with 77 otherwise.
#include <linux/fuse.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <cstring>

#include "mount_support.hpp"
#include "test_fs.hpp"

namespace kext = idshift::fusell::kext;
using kext::Reason;
using kext::test::Fd;
using kext::test::pattern;
using kext::test::read_file;
using kext::test::Scratch;
using kext::test::TestFs;
using kext::test::TestFsConfig;
using kext::test::write_file;

namespace {

TestFsConfig passthrough_config() {
    TestFsConfig config;
    config.kext.passthrough = true;
    return config;
}

// Writes `data` through the mount (O_CREAT), then reads it back through the mount.
std::vector<char> round_trip(const Scratch& scratch, const std::string& name,
                             const std::vector<char>& data) {
    write_file(scratch.mnt(name), data, 0644);
    return read_file(scratch.mnt(name));
}

// Every open went without passthrough, yet 1 MiB written and read back through the mount arrives
// intact in the backing file. With `daemon_io`, the daemon saw READ and WRITE requests.
void check_falls_back(TestFs& fs, const Scratch& scratch, const std::string& name,
                      std::uint32_t seed, bool daemon_io) {
    const std::vector<char> data = pattern(1 << 20, seed);
    CHECK(round_trip(scratch, name, data) == data);
    CHECK(read_file(scratch.backing(name)) == data);
    if (daemon_io) {
        CHECK(fs.kext().request_count(FUSE_READ) > 0U);
        CHECK(fs.kext().request_count(FUSE_WRITE) > 0U);
    }
    const std::vector<int> ids = fs.open_backing_ids();
    CHECK(ids.size() == 2U);
    for (const int id : ids)
        CHECK(id == 0);
}

}  // namespace

TEST_CASE("passthrough is negotiated and usable on this kernel", "[kext][mount]") {
    Scratch scratch;
    TestFs fs(scratch.backing(), scratch.mnt(), passthrough_config());
    const kext::Status status = fs.kext().status();
    CHECK(status.passthrough.offered);
    CHECK(status.passthrough.negotiated);
    CHECK(status.passthrough.available);
    CHECK(status.passthrough.reason == Reason::none);
    CHECK(status.max_stack_depth == 1U);
    CHECK(status.killpriv_v2.available);
    CHECK(status.allow_idmap.offered);
    CHECK(status.allow_idmap.reason == Reason::disabled_by_option);
    CHECK(kext::describe(kext::Feature::passthrough, status) ==
          "passthrough: on (max_stack_depth=1)");
    CHECK(fs.kext().request_count(FUSE_INIT) == 1U);
}

TEST_CASE("passthrough data never reaches the daemon", "[kext][mount]") {
    Scratch scratch;
    TestFs fs(scratch.backing(), scratch.mnt(), passthrough_config());
    const std::vector<char> data = pattern(3 << 20, 1);

    CHECK(round_trip(scratch, "data", data) == data);
    CHECK(read_file(scratch.backing("data")) == data);
    CHECK(fs.kext().request_count(FUSE_CREATE) == 1U);
    CHECK(fs.kext().request_count(FUSE_OPEN) == 1U);
    CHECK(fs.kext().request_count(FUSE_READ) == 0U);
    CHECK(fs.kext().request_count(FUSE_WRITE) == 0U);
    const std::vector<int> ids = fs.open_backing_ids();
    REQUIRE(ids.size() == 2U);
    CHECK(ids[0] > 0);
    CHECK(ids[1] > 0);
}

TEST_CASE("a shared mmap write through passthrough lands in the backing file", "[kext][mount]") {
    Scratch scratch;
    write_file(scratch.backing("mapped"), std::vector<char>(8192, 'a'), 0644);
    TestFs fs(scratch.backing(), scratch.mnt(), passthrough_config());
    const std::vector<char> data = pattern(8192, 2);
    {
        const Fd fd(::open(scratch.mnt("mapped").c_str(), O_RDWR | O_CLOEXEC));
        REQUIRE(fd.get() >= 0);
        void* map = ::mmap(nullptr, data.size(), PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(), 0);
        REQUIRE(map != MAP_FAILED);
        std::memcpy(map, data.data(), data.size());
        CHECK(::msync(map, data.size(), MS_SYNC) == 0);
        ::munmap(map, data.size());
    }
    CHECK(read_file(scratch.backing("mapped")) == data);
    CHECK(fs.kext().request_count(FUSE_READ) == 0U);
    CHECK(fs.kext().request_count(FUSE_WRITE) == 0U);
}

TEST_CASE("O_DIRECT works through passthrough", "[kext][mount]") {
    Scratch scratch;
    write_file(scratch.backing("direct"), std::vector<char>(16384, 'z'), 0644);
    TestFs fs(scratch.backing(), scratch.mnt(), passthrough_config());
    const std::vector<char> data = pattern(4096, 3);
    void* buf = std::aligned_alloc(4096, 4096);
    REQUIRE(buf != nullptr);
    {
        const Fd fd(::open(scratch.mnt("direct").c_str(), O_RDWR | O_DIRECT | O_CLOEXEC));
        REQUIRE(fd.get() >= 0);
        std::memcpy(buf, data.data(), data.size());
        CHECK(::pwrite(fd.get(), buf, 4096, 8192) == 4096);
        std::memset(buf, 0, 4096);
        CHECK(::pread(fd.get(), buf, 4096, 8192) == 4096);
        CHECK(std::memcmp(buf, data.data(), data.size()) == 0);
    }
    std::free(buf);
    const std::vector<char> backing = read_file(scratch.backing("direct"));
    REQUIRE(backing.size() == 16384U);
    CHECK(std::equal(data.begin(), data.end(), backing.begin() + 8192));
    CHECK(fs.kext().request_count(FUSE_READ) == 0U);
    CHECK(fs.kext().request_count(FUSE_WRITE) == 0U);
}

TEST_CASE("two opens of one inode share one backing id, closed after the last release",
          "[kext][mount]") {
    Scratch scratch;
    write_file(scratch.backing("shared"), pattern(4096, 4), 0644);
    TestFs fs(scratch.backing(), scratch.mnt(), passthrough_config());
    {
        const Fd reader(::open(scratch.mnt("shared").c_str(), O_RDONLY | O_CLOEXEC));
        const Fd writer(::open(scratch.mnt("shared").c_str(), O_WRONLY | O_CLOEXEC));
        REQUIRE(reader.get() >= 0);
        REQUIRE(writer.get() >= 0);
        const std::vector<int> ids = fs.open_backing_ids();
        REQUIRE(ids.size() == 2U);
        CHECK(ids[0] > 0);
        CHECK(ids[0] == ids[1]);
        CHECK(fs.kext().backing().backing_id_of(fs.ino_of("shared")) == ids[0]);
        CHECK(fs.kext().backing().live_ids() == 1U);
        CHECK(::pwrite(writer.get(), "hello", 5, 0) == 5);
        char got[5] = {};
        CHECK(::pread(reader.get(), got, 5, 0) == 5);
        CHECK(std::memcmp(got, "hello", 5) == 0);
    }
    REQUIRE(fs.wait_releases(2));
    CHECK(fs.kext().backing().backing_id_of(fs.ino_of("shared")) == 0);
    CHECK(fs.kext().backing().live_ids() == 0U);
}

TEST_CASE("with passthrough=off every open falls back to FUSE reads and writes", "[kext][mount]") {
    Scratch scratch;
    TestFsConfig config;
    config.kext.passthrough = false;
    TestFs fs(scratch.backing(), scratch.mnt(), config);
    const kext::Status status = fs.kext().status();
    CHECK(status.passthrough.offered);
    CHECK_FALSE(status.passthrough.negotiated);
    CHECK_FALSE(status.passthrough.available);
    CHECK(status.passthrough.reason == Reason::disabled_by_option);
    CHECK(kext::describe(kext::Feature::passthrough, status) ==
          "passthrough: off (disabled by option)");

    check_falls_back(fs, scratch, "fallback", 5, true);
}

TEST_CASE("a filesystem that wants the writeback cache gets no passthrough", "[kext][mount]") {
    Scratch scratch;
    TestFsConfig config = passthrough_config();
    config.writeback_cache = true;
    TestFs fs(scratch.backing(), scratch.mnt(), config);
    const kext::Status status = fs.kext().status();
    CHECK(status.passthrough.offered);
    CHECK_FALSE(status.passthrough.negotiated);
    CHECK(status.passthrough.reason == Reason::writeback_conflict);

    // The writeback cache may serve the reads from the page cache: no claim on READ here.
    check_falls_back(fs, scratch, "cached", 6, false);
}

TEST_CASE("a daemon without CAP_SYS_ADMIN falls back to FUSE reads and writes", "[kext][mount]") {
    Scratch scratch;
    TestFsConfig config = passthrough_config();
    config.without_cap_sys_admin = true;
    TestFs fs(scratch.backing(), scratch.mnt(), config);
    const kext::Status status = fs.kext().status();
    CHECK(status.passthrough.negotiated);
    CHECK_FALSE(status.passthrough.available);
    CHECK(status.passthrough.reason == Reason::no_cap_sys_admin);

    check_falls_back(fs, scratch, "no-admin", 7, true);
}

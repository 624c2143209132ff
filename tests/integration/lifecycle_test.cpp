// Starting, refusing to start, unmounting (also while busy and while writing), read-only mounts
// and a daemon that dies.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <string>

#include "support/child.hpp"
#include "support/files.hpp"
#include "support/mount_fixture.hpp"
#include "support/temp_dir.hpp"
#include "support/unique_fd.hpp"

using namespace idshift::itest;

namespace {

constexpr std::size_t kBlock = 4096;

std::string block(int index) {
    return std::string(kBlock, static_cast<char>('A' + index % 26));
}

}  // namespace

TEST_CASE("lifecycle: SIGTERM unmounts and the daemon exits with 0") {
    Volume vol;
    vol.mount().signal(SIGTERM);
    const DaemonExit exit = vol.mount().wait_daemon();
    CHECK(exit.describe() == "exited with code 0");
    CHECK_FALSE(vol.mount().mounted());
}

TEST_CASE("lifecycle: fusermount3 -u unmounts and the daemon exits with 0") {
    Volume vol;
    vol.mount().unmount();
    CHECK(vol.mount().wait_daemon().describe() == "exited with code 0");
    CHECK_FALSE(vol.mount().mounted());
}

TEST_CASE("lifecycle: a busy mount refuses a plain unmount until its last file is closed") {
    Volume vol;
    {
        const UniqueFd open_file(
            ::open(vol.mnt("f").c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
        REQUIRE(open_file);
        std::string output;
        CHECK(run_program({"fusermount3", "-u", vol.mnt()}, &output) != 0);
        CHECK_THAT(output, Catch::Contains("busy"));
        CHECK(vol.mount().mounted());
        CHECK(vol.mount().daemon_running());
    }
    vol.mount().unmount();
    CHECK(vol.mount().wait_daemon().describe() == "exited with code 0");
}

TEST_CASE("lifecycle: a lazy unmount during a writer loop loses none of the written data") {
    Volume vol;
    constexpr int kBlocks = 2048;  // 8 MiB: the unmount lands while the loop is running
    const std::string path = vol.mnt("stream");
    ChildProcess writer(kRoot, [&](Channel& channel) {
        const UniqueFd fd(::open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644));
        if (!fd) return 1;
        for (int i = 0; i < kBlocks; ++i) {
            const std::string bytes = block(i);
            const off_t offset = static_cast<off_t>(i) * static_cast<off_t>(kBlock);
            if (::pwrite(fd.get(), bytes.data(), kBlock, offset) != static_cast<ssize_t>(kBlock)) {
                channel.send("write " + std::to_string(i) + " failed: errno " +
                             std::to_string(errno));
                return 1;
            }
            if (i == 16) channel.send("running");
        }
        channel.send(::fsync(fd.get()) == 0 ? "done" : "fsync failed");
        return 0;
    });
    REQUIRE(writer.channel().receive() == "running");
    vol.mount().unmount(/*lazy=*/true);
    CHECK_FALSE(vol.mount().mounted());
    CHECK(writer.channel().receive() == "done");
    CHECK(writer.wait() == 0);

    // The writer held the last reference: with it gone the daemon finishes by itself.
    CHECK(vol.mount().wait_daemon().describe() == "exited with code 0");
    std::string expected;
    for (int i = 0; i < kBlocks; ++i)
        expected += block(i);
    CHECK(read_file(vol.src("stream")) == expected);
}

TEST_CASE("lifecycle: a daemon killed outright leaves ENOTCONN and the data written before it") {
    Volume vol;
    {
        const UniqueFd fd(::open(vol.mnt("kept").c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
        REQUIRE(fd);
        REQUIRE(::write(fd.get(), "durable", 7) == 7);
        REQUIRE(::fsync(fd.get()) == 0);
    }
    vol.mount().signal(SIGKILL);
    CHECK(vol.mount().wait_daemon().describe() == "was killed by signal 9");
    struct stat st {};
    CHECK(errno_of(::stat(vol.mnt("kept").c_str(), &st)) == ENOTCONN);
    CHECK(read_file(vol.src("kept")) == "durable");
}

TEST_CASE("lifecycle: -o ro refuses every write with EROFS and still reads") {
    Volume vol({.options = {"ro", "cache=none"}});
    make_file(vol.src("f"), kAppStorage, 0644, "read me");
    CHECK(read_file(vol.mnt("f")) == "read me");
    CHECK(open_errno(vol.mnt("new"), O_CREAT | O_WRONLY, 0644) == EROFS);
    CHECK(open_errno(vol.mnt("f"), O_WRONLY) == EROFS);
    CHECK(errno_of(::mkdir(vol.mnt("d").c_str(), 0755)) == EROFS);
    CHECK(errno_of(::chmod(vol.mnt("f").c_str(), 0600)) == EROFS);
    CHECK(errno_of(::chown(vol.mnt("f").c_str(), 1001, 1001)) == EROFS);
    CHECK(errno_of(::unlink(vol.mnt("f").c_str())) == EROFS);
    CHECK(list_dir(vol.src()) == std::vector<std::string>{"f"});
    CHECK(permissions_of(vol.src("f")) == 0644);
}

TEST_CASE("lifecycle: a map file with an error is refused before mounting, naming the line") {
    TempDir backing("idshift-src-");
    const RefusedStart start = run_daemon_expecting_refusal(
        backing.path(), {.map = "uid 0 0 1\nuid 1000 2000 ten\n", .options = {}});
    CHECK_FALSE(start.mounted);
    CHECK(start.exit.exit_code() == 1);  // a bad map, option or file: the usage exit status
    CHECK_THAT(start.log, Catch::Contains("/map:2"));
}

TEST_CASE("lifecycle: a map others can write is refused, unless map_owner_check=off") {
    TempDir backing("idshift-src-");
    TempDir maps("idshift-maps-");
    const std::string map = maps.at("web.map");
    write_file(map, "uid 0 0 65536\ngid 0 0 65536\n");
    REQUIRE(::chmod(map.c_str(), 0666) == 0);

    const RefusedStart refused =
        run_daemon_expecting_refusal(backing.path(), {.map = "", .options = {"map=" + map}});
    CHECK_FALSE(refused.mounted);
    CHECK(refused.exit.exit_code() == 1);
    CHECK_THAT(refused.log, Catch::Contains(map + ": writable by its group or others (mode 0666)"));
    CHECK_THAT(refused.log, Catch::Contains("run chmod go-w " + map));

    Mount mount(backing.path(), {.map = "", .options = {"map=" + map, "map_owner_check=off"}});
    CHECK(mount.mounted());
    CHECK_THAT(mount.log(), Catch::Contains("-o map_owner_check=off"));
}

TEST_CASE("lifecycle: overlapping map rules are refused before mounting") {
    TempDir backing("idshift-src-");
    const RefusedStart start = run_daemon_expecting_refusal(
        backing.path(), {.map = "uid 1000 2000 10\nuid 1005 3000 1\n", .options = {}});
    CHECK_FALSE(start.mounted);
    CHECK(start.exit.exit_code() == 1);
    CHECK_THAT(start.log, Catch::Contains("/map:2"));
}

TEST_CASE("lifecycle: a missing map file or a bad option is refused before mounting") {
    TempDir backing("idshift-src-");
    const RefusedStart missing = run_daemon_expecting_refusal(
        backing.path(), {.map = "", .options = {"map=" + backing.at("no-such.map")}});
    CHECK_FALSE(missing.mounted);
    CHECK(missing.exit.exit_code() == 1);
    CHECK_THAT(missing.log, Catch::Contains(backing.at("no-such.map")));

    const RefusedStart bad_cache =
        run_daemon_expecting_refusal(backing.path(), {.options = {"cache=sometimes"}});
    CHECK_FALSE(bad_cache.mounted);
    CHECK(bad_cache.exit.exit_code() == 1);
    CHECK_THAT(bad_cache.log, Catch::Contains("sometimes"));

    const RefusedStart no_map =
        run_daemon_expecting_refusal(backing.path(), {.map = "", .options = {}});
    CHECK_FALSE(no_map.mounted);
    CHECK(no_map.exit.exit_code() == 1);
}

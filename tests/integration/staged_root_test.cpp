// The volume is the entry "volume" of a staging directory, never the FUSE root: the kernel makes
// the FUSE root's inode before it knows POSIX ACLs are on and never caches that inode's ACL, so a
// volume shown as the FUSE root costs a GETXATTR on every path walk by a caller who does not own
// it. These tests count the requests the daemon saw, and check what the staging must not change:
// the mount point's own attributes, the exit status of a mount in the background, and errors.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <map>
#include <string>
#include <thread>

#include "support/child.hpp"
#include "support/files.hpp"
#include "support/mount_fixture.hpp"
#include "support/mountinfo.hpp"
#include "support/op_counts.hpp"
#include "support/standard_map.hpp"
#include "support/temp_dir.hpp"

using namespace idshift::itest;

namespace {

using Counts = std::map<std::string, long long>;

constexpr int kFiles = 20;

std::string idshift_bin() {
    const char* bin = std::getenv("IDSHIFT_BIN");
    REQUIRE(bin != nullptr);
    return bin;
}

// `idshift WORK/src MOUNT_POINT -o map=WORK/map,backend=fuse` in the background; its exit code,
// with what it printed in *output.
int mount_in_background(const TempDir& work, const std::string& mount_point, std::string* output) {
    return run_program({idshift_bin(), work.at("src"), mount_point, "-o",
                        "map=" + work.at("map") + ",backend=fuse"},
                       output);
}

// stat(2) of files 1..kFiles as `caller`; 0, or the first errno.
int stat_files(const Caller& caller, const Mount& mount) {
    return as_user(caller, [&] {
        for (int i = 1; i <= kFiles; ++i) {
            struct stat st {};
            if (::stat(mount.at("f" + std::to_string(i)).c_str(), &st) != 0) return errno;
        }
        return 0;
    });
}

// op_counts once `op` has reached `count`: RELEASE and FORGET are sent after the call that caused
// them has returned. Gives up after 5 s (the comparison then shows what came).
Counts counts_once(const Mount& mount, const std::string& op, long long count) {
    Counts now = op_counts(mount);
    for (int tries = 0; tries < 100 && now[op] < count; ++tries) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        now = op_counts(mount);
    }
    return now;
}

}  // namespace

TEST_CASE("staged root: the mount point shows the volume root, as the entry /volume") {
    TempDir backing("idshift-staged-");
    REQUIRE(::chown(backing.path().c_str(), 2003, 2004) == 0);
    REQUIRE(::chmod(backing.path().c_str(), 0751) == 0);
    write_file(backing.at("kept"), "stored");
    Mount mount(backing.path());
    CHECK(mount_type_at(mount.path()) == "fuse.idshift");
    CHECK(mount_root_at(mount.path()) == "/volume");
    CHECK(owner_of(mount.path()) == Owner{1003, 1004});
    CHECK(permissions_of(mount.path()) == 0751);
    CHECK(lstat_path(mount.path()).st_ino == lstat_path(backing.path()).st_ino);
    CHECK(read_file(mount.at("kept")) == "stored");
    CHECK(list_dir(mount.path()) == std::vector<std::string>{"kept"});
}

TEST_CASE("staged root: a caller who does not own the volume root costs no GETXATTR per stat") {
    // A day of caching, so that only the staging decides what the kernel asks again.
    Volume vol(MountOptions{std::string(kStandardMap), {"cache=always"}});
    for (int i = 0; i <= kFiles; ++i)
        write_file(vol.src("f" + std::to_string(i)), "x");
    REQUIRE(owner_of(vol.mnt()) == Owner{0, 0});  // kApp does not own it
    // The volume root's attributes and ACL, asked for once.
    REQUIRE(as_user(kApp, [&] {
                struct stat st {};
                return ::stat(vol.mnt("f0").c_str(), &st) == 0 ? 0 : errno;
            }) == 0);

    const Counts before = op_counts(vol.mount());
    REQUIRE(stat_files(kApp, vol.mount()) == 0);
    const Counts cold = op_counts(vol.mount());
    // One LOOKUP per new name and nothing else: shown as the FUSE root, the volume root would add
    // a GETXATTR of its ACL to each of these stats.
    CHECK(describe(op_delta(before, cold)) == "lookup=" + std::to_string(kFiles));

    REQUIRE(stat_files(kApp, vol.mount()) == 0);
    CHECK(describe(op_delta(cold, op_counts(vol.mount()))).empty());
}

TEST_CASE("staged root: idshift in the background exits 0 once the volume is mounted") {
    TempDir work("idshift-staged-bg-");
    REQUIRE(::mkdir(work.at("src").c_str(), 0755) == 0);
    REQUIRE(::mkdir(work.at("mnt").c_str(), 0755) == 0);
    write_file(work.at("src/kept"), "stored");
    write_file(work.at("map"), kStandardMap, 0644);
    std::string output;
    const int rc = mount_in_background(work, work.at("mnt"), &output);
    INFO(output);
    REQUIRE(rc == 0);
    // No waiting: the command returned, so the mount is there.
    CHECK(mount_type_at(work.at("mnt")) == "fuse.idshift");
    CHECK(read_file(work.at("mnt/kept")) == "stored");
    CHECK(run_program({"fusermount3", "-u", work.at("mnt")}, &output) == 0);
    CHECK_FALSE(mount_type_at(work.at("mnt")).has_value());
}

TEST_CASE("staged root: a mount point that is not a directory is refused before anything starts") {
    TempDir work("idshift-staged-bad-");
    REQUIRE(::mkdir(work.at("src").c_str(), 0755) == 0);
    write_file(work.at("not-a-dir"), "");
    write_file(work.at("map"), kStandardMap, 0644);
    std::string output;
    const int rc = mount_in_background(work, work.at("not-a-dir"), &output);
    CHECK(rc == 2);
    CHECK_THAT(output,
               Catch::Contains("mount point " + work.at("not-a-dir") + ": Not a directory"));
    CHECK_FALSE(mount_type_at(work.at("not-a-dir")).has_value());
}

TEST_CASE("staged root: the requests of creating and of removing files are exact") {
    // kApp's own directory in a volume root it does not own; a day of caching, as above.
    Volume vol(MountOptions{std::string(kStandardMap), {"cache=always"}});
    make_dir(vol.src("own"), Owner{2000, 2000}, 0755);
    REQUIRE(as_user(kApp, [&] {
                struct stat st {};
                return ::stat(vol.mnt("own").c_str(), &st) == 0 ? 0 : errno;
            }) == 0);

    const Counts before = op_counts(vol.mount());
    REQUIRE(as_user(kApp, [&] {
                const std::string block(4096, 'x');
                for (int i = 1; i <= kFiles; ++i) {
                    const std::string path = vol.mnt("own/f" + std::to_string(i));
                    const int fd =
                        ::open(path.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
                    if (fd < 0) return errno;
                    const bool written = ::write(fd, block.data(), block.size()) == 4096;
                    if (::close(fd) != 0 || !written) return EIO;
                }
                return 0;
            }) == 0);
    const Counts created = counts_once(vol.mount(), "release", before.at("release") + kFiles);
    // Per file: the failed LOOKUP of its name, CREATE, FLUSH at close, RELEASE after it, and the
    // GETXATTR of security.capability before its first write; every create but the first finds
    // the directory's attributes dropped by the one before (GETATTR). Data: passthrough, none.
    const std::string n = std::to_string(kFiles);
    const std::string n_less_1 = std::to_string(kFiles - 1);
    CHECK(describe(op_delta(before, created)) == "create=" + n + " flush=" + n +
                                                     " getattr=" + n_less_1 + " getxattr=" + n +
                                                     " lookup=" + n + " release=" + n);

    REQUIRE(as_user(kApp, [&] {
                for (int i = 1; i <= kFiles; ++i) {
                    if (::unlink(vol.mnt("own/f" + std::to_string(i)).c_str()) != 0) return errno;
                }
                return 0;
            }) == 0);
    Counts removed = op_delta(created, op_counts(vol.mount()));
    // Per file: UNLINK, and the directory's attributes again (GETATTR), dropped by the unlink
    // before; the first finds them dropped by the last create. The FORGETs of the nodes are left
    // out: they have no reply, and the kernel sends them one by one or batched as it pleases.
    removed.erase("forget");
    removed.erase("forget_multi");
    CHECK(describe(removed) == "getattr=" + n + " unlink=" + n);
}

// `idshift reload MNT` on the kernel backend: a new idmapped mount with the map file's new map
// replaces the old one. New lookups through MNT get the new map at once; what already held the
// old mount (an open file, a working directory inside it, a bind mount taken of it) keeps the old
// map until it lets go, because an idmapped mount's map never changes.
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <string>

#include "support/child.hpp"
#include "support/files.hpp"
#include "support/kernel_mount.hpp"
#include "support/mount_fixture.hpp"
#include "support/mountinfo.hpp"
#include "support/temp_dir.hpp"
#include "support/unique_fd.hpp"

using namespace idshift::itest;

namespace {

// Storage 2000 shows as 1000 before the reload, as 1500 after it.
constexpr std::string_view kBefore = "uid 0 0 1\ngid 0 0 1\nuid 1000 2000\ngid 1000 2000\n";
constexpr std::string_view kAfter = "uid 0 0 1\ngid 0 0 1\nuid 1500 2000\ngid 1500 2000\n";

// A kernel-backend mount of a fresh backing directory holding dir/f (storage 2000:2000).
struct KernelVolume {
    TempDir backing{"idshift-src-"};
    TempDir work{"idshift-mnt-"};
    std::string mnt = work.at("mnt");
    std::string map = work.at("map");
    IdmappedMountGuard guard{mnt};

    KernelVolume() {
        make_dir(backing.at("dir"), {2000, 2000}, 0755);
        make_file(backing.at("dir/f"), {2000, 2000}, 0644, "data");
        write_file(map, kBefore);
        ::mkdir(mnt.c_str(), 0755);
        const ProgramRun run =
            run_idshift({backing.path(), mnt, "-f", "-o", "map=" + map + ",backend=kernel"});
        if (run.exit_code != 0) FAIL("kernel-backend mount failed: " << run.output);
    }
    std::string at(std::string_view relative) const { return mnt + "/" + std::string(relative); }
    void replace_map(std::string_view text) const {
        write_file(map + ".next", text);
        REQUIRE(::rename((map + ".next").c_str(), map.c_str()) == 0);
    }
};

uid_t fd_owner(int fd) {
    struct stat st {};
    REQUIRE(::fstat(fd, &st) == 0);
    return st.st_uid;
}

}  // namespace

TEST_CASE("kernel reload: new lookups get the new map and one mount stays on the path") {
    KernelVolume vol;
    REQUIRE(owner_of(vol.at("dir/f")) == Owner{1000, 1000});
    vol.replace_map(kAfter);

    const ProgramRun run = run_idshift({"reload", vol.mnt});
    CHECK(run.exit_code == 0);
    CHECK(run.output == vol.mnt + ": map reloaded from " + vol.map +
                            " (the map fits the kernel (2 uid and 2 gid extents) and the storage "
                            "accepts idmapped mounts)\n");
    CHECK(owner_of(vol.at("dir/f")) == Owner{1500, 1500});
    CHECK(mounts_at(vol.mnt) == 1);  // the old mount is detached, not left underneath
    CHECK(idmapped_mount_at(vol.mnt));
    // Writes through the new mount store through the new map: caller 1500 owns dir now.
    CHECK(as_user({1500, 1500, {}},
                  [&] { return ::mkdir(vol.at("dir/new").c_str(), 0755) == 0 ? 0 : errno; }) == 0);
    CHECK(owner_of(vol.backing.at("dir/new")) == Owner{2000, 2000});
    CHECK(as_user({1000, 1000, {}}, [&] {
              return ::mkdir(vol.at("dir/old").c_str(), 0755) == 0 ? 0 : errno;
          }) == EOVERFLOW);  // mount uid 1000 is no longer mapped
    // The record follows the new mount: stats still knows it.
    CHECK(run_idshift({"stats", vol.mnt}).output == "kernel backend: no per-operation counters\n");
}

TEST_CASE("kernel reload: open files, a cwd inside and earlier bind mounts keep the old map") {
    KernelVolume vol;
    const TempDir bind_work("idshift-bind-");
    const std::string bind = bind_work.at("b");
    REQUIRE(::mkdir(bind.c_str(), 0755) == 0);
    REQUIRE(::mount(vol.mnt.c_str(), bind.c_str(), nullptr, MS_BIND, nullptr) == 0);
    const IdmappedMountGuard bind_guard(bind);
    const UniqueFd file(::open(vol.at("dir/f").c_str(), O_RDONLY | O_CLOEXEC));
    REQUIRE(file);
    REQUIRE(fd_owner(file.get()) == 1000);

    // A process whose working directory is inside the mount, waiting while the reload happens.
    ChildProcess in_dir(kRoot, [&](Channel& channel) {
        if (::chdir(vol.at("dir").c_str()) != 0) return 1;
        channel.send("ready");
        if (!channel.receive()) return 2;
        struct stat st {};
        if (::stat("f", &st) != 0) return 3;
        channel.send(std::to_string(st.st_uid));
        // A file created from here lands through the old map too: mount 1000 is storage 2000.
        if (::mkdir("from-old-cwd", 0755) != 0 || ::chown("from-old-cwd", 1000, 1000) != 0)
            return 4;
        return 0;
    });
    REQUIRE(in_dir.channel().receive() == "ready");

    vol.replace_map(kAfter);
    REQUIRE(run_idshift({"reload", vol.mnt}).exit_code == 0);

    in_dir.channel().send("go");
    CHECK(in_dir.channel().receive() == "1000");  // relative lookups from the old cwd: old map
    CHECK(in_dir.wait() == 0);
    CHECK(owner_of(vol.backing.at("dir/from-old-cwd")) == Owner{2000, 2000});
    CHECK(fd_owner(file.get()) == 1000);                    // the open file: old map
    CHECK(owner_of(bind + "/dir/f") == Owner{1000, 1000});  // the bind mount: old map
    CHECK(owner_of(vol.at("dir/f")) == Owner{1500, 1500});  // a new lookup: new map
    CHECK(owner_of(vol.at("dir/from-old-cwd")) == Owner{1500, 1500});
    // A new open through the path gets the new mount.
    const UniqueFd reopened(::open(vol.at("dir/f").c_str(), O_RDONLY | O_CLOEXEC));
    REQUIRE(reopened);
    CHECK(fd_owner(reopened.get()) == 1500);
}

TEST_CASE("kernel reload: a map with errors changes nothing") {
    KernelVolume vol;
    vol.replace_map("uid 0 0 1\ngid 0 0 1\nuid 1000 2000 banana\n");
    const ProgramRun run = run_idshift({"reload", vol.mnt});
    CHECK(run.exit_code == 1);
    CHECK_THAT(run.output, Catch::Contains(vol.map + ":3: "));
    CHECK_THAT(run.output, Catch::Contains("map not reloaded; the mount keeps the old one"));
    CHECK(owner_of(vol.at("dir/f")) == Owner{1000, 1000});
    CHECK(mounts_at(vol.mnt) == 1);
}

TEST_CASE("kernel reload: a new map the kernel cannot carry changes nothing") {
    KernelVolume vol;
    vol.replace_map(std::string(kAfter) + "unmapped-write squash:7000\n");
    const ProgramRun run = run_idshift({"reload", vol.mnt});
    CHECK(run.exit_code == 1);
    CHECK(run.output ==
          "idshift reload: map not reloaded, the mount keeps the old one: the map cannot be "
          "expressed by the kernel: unmapped-write is squash, and the kernel refuses a write of "
          "an unmapped id (EOVERFLOW) instead of storing a substitute\n");
    CHECK(owner_of(vol.at("dir/f")) == Owner{1000, 1000});
}

TEST_CASE("kernel reload: a FUSE-backend mount is not reloaded this way") {
    Volume vol({.options = {"backend=fuse"}});
    const ProgramRun run = run_idshift({"reload", vol.mnt()});
    CHECK(run.exit_code == 1);
    CHECK(run.output == "idshift reload: " + vol.mnt() +
                            " is not a kernel-backend idshift mount (a FUSE-backend daemon "
                            "reloads its map on SIGHUP)\n");
}

// -o backend=auto|fuse|kernel: which backend serves a mount, for each reason, with its one log
// line; `idshift stats` on a kernel-backend mount. The FUSE fallbacks are real FUSE mounts, the
// kernel choices real idmapped mounts.
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <filesystem>
#include <string>
#include <system_error>

#include "support/files.hpp"
#include "support/kernel_mount.hpp"
#include "support/mount_fixture.hpp"
#include "support/mountinfo.hpp"
#include "support/temp_dir.hpp"
#include "support/unique_fd.hpp"

using namespace idshift::itest;

namespace {

// A directory on ramfs: a filesystem that does not support idmapped mounts (the kernel refuses
// MOUNT_ATTR_IDMAP on it with EINVAL) and that every kernel has built in.
class RamfsDir {
  public:
    RamfsDir() : dir_("idshift-ramfs-") {
        if (::mount("none", dir_.path().c_str(), "ramfs", 0, "mode=0755") != 0)
            throw std::system_error(errno, std::generic_category(), "mount ramfs");
    }
    ~RamfsDir() { ::umount2(dir_.path().c_str(), MNT_DETACH); }
    RamfsDir(const RamfsDir&) = delete;
    RamfsDir& operator=(const RamfsDir&) = delete;
    const std::string& path() const { return dir_.path(); }

  private:
    TempDir dir_;
};

// The standard map with `extra` single uid rules that touch no other rule on either side (short
// ids: 340 lines of them stay within the page a uid_map is written in).
std::string map_with_scattered_uids(int extra) {
    std::string map(kStandardMap);
    for (int i = 0; i < extra; ++i)
        map += "uid " + std::to_string(4000 + 2 * i) + " " + std::to_string(4000 + 2 * i) + "\n";
    return map;
}

// idshift SOURCE MNT -o map=MAP,backend=BACKEND run to its end, in `work`. Not in the
// foreground: should auto wrongly choose FUSE, the daemon detaches and the test fails on its
// assertions instead of waiting for the daemon.
ProgramRun run_mount(const TempDir& work, const std::string& source, const std::string& map,
                     const std::string& backend) {
    const std::string map_path = work.at("map");
    write_file(map_path, map);
    ::mkdir(work.at("mnt").c_str(), 0755);
    return run_idshift(
        {source, work.at("mnt"), "-f", "-o", "map=" + map_path + ",backend=" + backend});
}

// Whether a kernel-backend record under /run/idshift names `mount_point` (whatever its file name).
bool record_names(const std::string& mount_point) {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator("/run/idshift", ec)) {
        if (entry.path().extension() != ".kernel") continue;
        if (read_file(entry.path()).find("\nmountpoint " + mount_point + "\n") != std::string::npos)
            return true;
    }
    return false;
}

const std::string kKernelChosen =
    "backend: kernel (the map fits the kernel (3 uid and 3 gid extents) and the storage accepts "
    "idmapped mounts)";

}  // namespace

TEST_CASE("backend: auto gives a fitting map on local storage the kernel backend, no daemon") {
    const TempDir source("idshift-src-");
    make_file(source.at("f"), kAppStorage, 0644, "x");
    make_file(source.at("unmapped"), {5000, 5000}, 0644);
    const TempDir work("idshift-mnt-");
    const IdmappedMountGuard guard(work.at("mnt"));

    const ProgramRun run = run_mount(work, source.path(), std::string(kStandardMap), "auto");
    CHECK(run.exit_code == 0);
    CHECK_THAT(run.output, Catch::Contains(kKernelChosen));
    REQUIRE(idmapped_mount_at(work.at("mnt")));
    CHECK(mount_type_at(work.at("mnt")) != "fuse.idshift");
    CHECK(owner_of(work.at("mnt/f")) == kAppMount);
    CHECK(owner_of(work.at("mnt/unmapped")) == Owner{kOverflowId, kOverflowId});
    CHECK(read_file(work.at("mnt/f")) == "x");
}

TEST_CASE("backend: auto keeps 340 extents of a kind on the kernel backend") {
    const TempDir source("idshift-src-");
    const TempDir work("idshift-mnt-");
    const IdmappedMountGuard guard(work.at("mnt"));
    const ProgramRun run = run_mount(work, source.path(), map_with_scattered_uids(337), "auto");
    CHECK(run.exit_code == 0);
    CHECK_THAT(run.output, Catch::Contains("backend: kernel (the map fits the kernel (340 uid and "
                                           "3 gid extents) and the storage accepts idmapped "
                                           "mounts)"));
    CHECK(idmapped_mount_at(work.at("mnt")));
}

TEST_CASE("backend: auto serves 341 extents with FUSE and says why") {
    const TempDir source("idshift-src-");
    Mount mount(source.path(), {.map = map_with_scattered_uids(338), .options = {"backend=auto"}});
    CHECK(mount.mounted());
    CHECK_THAT(mount.log(), Catch::Contains("backend: fuse (the map cannot be expressed by the "
                                            "kernel: 341 uid extents after merging adjacent "
                                            "rules; the kernel takes at most 340)"));
}

TEST_CASE("backend: auto serves a squash map with FUSE and says why") {
    const TempDir source("idshift-src-");
    Mount mount(source.path(), {.map = std::string(kStandardMap) + "unmapped-write squash:7000\n",
                                .options = {"backend=auto"}});
    CHECK(mount.mounted());
    CHECK_THAT(mount.log(),
               Catch::Contains("backend: fuse (the map cannot be expressed by the kernel: "
                               "unmapped-write is squash, and the kernel refuses a write of an "
                               "unmapped id (EOVERFLOW) instead of storing a substitute)"));
}

TEST_CASE("backend: auto serves an unmapped-read other than the overflow id with FUSE") {
    const TempDir source("idshift-src-");
    Mount mount(source.path(), {.map = std::string(kStandardMap) + "unmapped-read 4242 4343\n",
                                .options = {"backend=auto"}});
    CHECK(mount.mounted());
    CHECK_THAT(mount.log(), Catch::Contains("backend: fuse (the map cannot be expressed by the "
                                            "kernel: unmapped-read is 4242:4343, and the kernel "
                                            "shows unmapped ids as its overflow ids "
                                            "65534:65534)"));
}

TEST_CASE("backend: auto serves storage without idmapped-mount support with FUSE") {
    const RamfsDir ramfs;
    Mount mount(ramfs.path(), {.map = std::string(kStandardMap), .options = {"backend=auto"}});
    CHECK(mount.mounted());
    CHECK_THAT(mount.log(), Catch::Contains("backend: fuse (the storage of " + ramfs.path() +
                                            " does not accept idmapped mounts "
                                            "(mount_setattr(MOUNT_ATTR_IDMAP): EINVAL (Invalid "
                                            "argument)))"));
}

TEST_CASE("backend: fuse is FUSE even where the kernel backend would do") {
    const TempDir source("idshift-src-");
    Mount mount(source.path(), {.map = std::string(kStandardMap), .options = {"backend=fuse"}});
    CHECK(mount_type_at(mount.path()) == "fuse.idshift");
    CHECK_THAT(mount.log(), Catch::Contains("backend: fuse (-o backend=fuse)"));
}

TEST_CASE("backend: kernel refuses, with the reason, where it cannot serve") {
    const RamfsDir ramfs;
    const TempDir source("idshift-src-");
    struct Refusal {
        const char* what;
        std::string source;
        std::string map;
        std::string reason;
    };
    const Refusal refusals[] = {
        {"storage", ramfs.path(), std::string(kStandardMap),
         "the storage of " + ramfs.path() + " does not accept idmapped mounts"},
        {"extents", source.path(), map_with_scattered_uids(338),
         "the map cannot be expressed by the kernel: 341 uid extents"},
        {"squash", source.path(), std::string(kStandardMap) + "unmapped-write squash:7000\n",
         "the map cannot be expressed by the kernel: unmapped-write is squash"},
        {"unmapped-read", source.path(), std::string(kStandardMap) + "unmapped-read 99\n",
         "the map cannot be expressed by the kernel: unmapped-read is 99:99"},
    };
    for (const Refusal& r : refusals) {
        INFO(r.what);
        const RefusedStart refused =
            run_daemon_expecting_refusal(r.source, {.map = r.map, .options = {"backend=kernel"}});
        CHECK_FALSE(refused.mounted);
        CHECK(refused.exit.exit_code() == 2);
        CHECK_THAT(refused.log,
                   Catch::Contains("backend: kernel refused, not mounted: " + r.reason));
    }
}

TEST_CASE("backend: stats on a kernel-backend mount says there are no counters") {
    const TempDir source("idshift-src-");
    const TempDir work("idshift-mnt-");
    const IdmappedMountGuard guard(work.at("mnt"));
    REQUIRE(run_mount(work, source.path(), std::string(kStandardMap), "kernel").exit_code == 0);

    const ProgramRun stats = run_idshift({"stats", work.at("mnt")});
    CHECK(stats.exit_code == 0);
    CHECK(stats.output == "kernel backend: no per-operation counters\n");

    // Unmounted without idshift, the record stays behind but names a mount that is gone.
    REQUIRE(::umount2(work.at("mnt").c_str(), 0) == 0);
    const ProgramRun after = run_idshift({"stats", work.at("mnt")});
    CHECK(after.exit_code == 1);
    CHECK_THAT(after.output, Catch::Contains("is " + work.at("mnt") + " an idshift mount"));

    // The next kernel-backend mount, anywhere, removes the stale record.
    CHECK(record_names(work.at("mnt")));
    const TempDir other("idshift-mnt-");
    const IdmappedMountGuard other_guard(other.at("mnt"));
    REQUIRE(run_mount(other, source.path(), std::string(kStandardMap), "kernel").exit_code == 0);
    CHECK_FALSE(record_names(work.at("mnt")));
    CHECK(record_names(other.at("mnt")));
}

TEST_CASE("backend: the kernel backend keeps nosuid and nodev by default and honours ro") {
    const TempDir source("idshift-src-");
    make_file(source.at("f"), kAppStorage, 0644, "x");
    const TempDir work("idshift-mnt-");
    const IdmappedMountGuard guard(work.at("mnt"));
    REQUIRE(run_mount(work, source.path(), std::string(kStandardMap), "kernel").exit_code == 0);
    struct statvfs vfs {};
    REQUIRE(::statvfs(work.at("mnt").c_str(), &vfs) == 0);
    CHECK((vfs.f_flag & ST_NOSUID) != 0);
    CHECK((vfs.f_flag & ST_NODEV) != 0);
    CHECK((vfs.f_flag & ST_RDONLY) == 0);
    REQUIRE(::umount2(work.at("mnt").c_str(), 0) == 0);

    write_file(work.at("map"), kStandardMap);
    const ProgramRun ro = run_idshift({source.path(), work.at("mnt"), "-o",
                                       "map=" + work.at("map") + ",backend=kernel,ro,suid,dev"});
    REQUIRE(ro.exit_code == 0);
    REQUIRE(::statvfs(work.at("mnt").c_str(), &vfs) == 0);
    CHECK((vfs.f_flag & ST_RDONLY) != 0);
    CHECK((vfs.f_flag & ST_NOSUID) == 0);
    CHECK((vfs.f_flag & ST_NODEV) == 0);
    const UniqueFd created(
        ::open(work.at("mnt/new").c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
    const int create_errno = errno;
    CHECK_FALSE(created);
    CHECK(create_errno == EROFS);
    CHECK(read_file(work.at("mnt/f")) == "x");
}

// A staged Filesystem (FsOptions::staged_root): node 1 is a staging directory whose one entry is
// the volume root under kVolumeNodeId; the volume behaves as it does at node 1 unstaged.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "fs_fixture.hpp"
#include "idshift/fusell/staged_root.hpp"

using namespace idshift::fusell;
using namespace idshift::fusell::testing;

namespace {

FsOptions staged() {
    FsOptions options;
    options.staged_root = true;
    return options;
}

}  // namespace

TEST_CASE("staged: node 1 is the daemon's directory with the one entry volume", "[root]") {
    FsFixture f(staged());
    const auto attr = f.fs().getattr(kStagingNodeId, std::nullopt);
    REQUIRE(attr.ok());
    CHECK(attr->attr.st_mode == (S_IFDIR | 0700));
    CHECK(attr->attr.st_uid == 0);
    CHECK(attr->attr.st_gid == 0);
    CHECK(f.fs().lookup(f.root(), kStagingNodeId, "other").error() == ENOENT);
    CHECK(f.fs().lookup(f.root(), kStagingNodeId, "..").error() == ENOENT);
}

TEST_CASE("staged: the entry volume is the volume root, as kVolumeNodeId", "[root]") {
    FsFixture f(staged());
    REQUIRE(::chown(f.dir().c_str(), kStorageUser, kStorageUser) == 0);
    REQUIRE(::chmod(f.dir().c_str(), 0751) == 0);
    const auto entry = f.fs().lookup(f.root(), kStagingNodeId, kStagedVolumeName);
    REQUIRE(entry.ok());
    CHECK(entry->ino == kVolumeNodeId);
    CHECK(entry->attr.st_ino == f.backing_stat("").st_ino);
    CHECK(entry->attr.st_uid == kMountUser);  // mapped as every attribute is
    CHECK((entry->attr.st_mode & 07777) == 0751);
    // The same node for the attributes, and the directory its names are looked up in.
    const auto attr = f.fs().getattr(kVolumeNodeId, std::nullopt);
    REQUIRE(attr.ok());
    CHECK(attr->attr.st_ino == entry->attr.st_ino);
    REQUIRE(::mkdir(f.backing("d").c_str(), 0755) == 0);
    const auto child = f.lookup("d", kVolumeNodeId);
    CHECK(child.attr.st_ino == f.backing_stat("d").st_ino);
    CHECK(child.ino > kVolumeNodeId);
}

TEST_CASE("staged: node 1 serves nothing else, and the volume root is never forgotten", "[root]") {
    FsFixture f(staged());
    CHECK(f.fs().readlink(kStagingNodeId).error() == ESTALE);
    f.fs().forget(kVolumeNodeId, 1000);
    CHECK(f.fs().getattr(kVolumeNodeId, std::nullopt).ok());
}

TEST_CASE("unstaged: node 1 is the volume root and node 2 is no node", "[root]") {
    FsFixture f;
    CHECK(f.fs().getattr(FUSE_ROOT_ID, std::nullopt)->attr.st_ino == f.backing_stat("").st_ino);
    CHECK(f.fs().getattr(kVolumeNodeId, std::nullopt).error() == ESTALE);
}

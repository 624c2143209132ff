#include "fs_fixture.hpp"

#include <unistd.h>
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>

#include "idshift/idmap/range_map.hpp"

namespace idshift::fusell::testing {
namespace {

idmap::IdMap test_map() {
    using idmap::RuleExtent;
    const std::vector<RuleExtent> extents{{0, 0, 1}, {kMountUser, kStorageUser, 10}};
    return idmap::IdMap(idmap::UidRangeMap::from_rules(extents),
                        idmap::GidRangeMap::from_rules(extents), idmap::Policy{});
}

}  // namespace

FsFixture::FsFixture(FsOptions options) {
    char templ[] = "/var/tmp/idshift-core-XXXXXX";
    REQUIRE(::mkdtemp(templ) != nullptr);
    dir_ = templ;
    maps_ = std::make_unique<idmap::MapHolder>(test_map());
    fs_ = std::make_unique<Filesystem>(dir_, options, *maps_);
}

FsFixture::~FsFixture() {
    fs_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
}

struct stat FsFixture::backing_stat(const std::string& name) const {
    struct stat st {};
    REQUIRE(::lstat(backing(name).c_str(), &st) == 0);
    return st;
}

bool FsFixture::backing_exists(const std::string& name) const {
    struct stat st {};
    return ::lstat(backing(name).c_str(), &st) == 0;
}

Caller FsFixture::caller(uid_t uid, gid_t gid, mode_t umask, std::vector<gid_t> groups) const {
    return fs_->make_caller(uid, gid, ::getpid(), umask, groups);
}

fuse_entry_param FsFixture::lookup(const std::string& name, fuse_ino_t parent) {
    auto entry = fs_->lookup(root(), parent, name);
    INFO("lookup " << name << ": errno " << entry.error());
    REQUIRE(entry.ok());
    return *entry;
}

}  // namespace idshift::fusell::testing

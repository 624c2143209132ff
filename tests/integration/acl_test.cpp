// POSIX ACLs: ids in the xattr are stored storage-side and read back mount-side, unmapped ids are
// refused, and the kernel and the backing file system enforce and inherit them as natively.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <optional>
#include <string>
#include <vector>

#include "support/acl_blob.hpp"
#include "support/child.hpp"
#include "support/files.hpp"
#include "support/mount_fixture.hpp"
#include "support/unique_fd.hpp"

using namespace idshift::itest;

namespace {

const std::string kAccess = "system.posix_acl_access";
const std::string kDefault = "system.posix_acl_default";

// user 1003 may read, group 1004 may read and write; storage_ids() gives the same with 2003/2004.
std::vector<AclEntry> sample_acl(std::uint32_t user, std::uint32_t group) {
    return {{AclTag::user_obj, 6},     {AclTag::user, 4, user}, {AclTag::group_obj, 4},
            {AclTag::group, 6, group}, {AclTag::mask, 6},       {AclTag::other, 0}};
}

int set_raw(const std::string& path, const std::string& name, const std::string& blob) {
    return errno_of(::setxattr(path.c_str(), name.c_str(), blob.data(), blob.size(), 0));
}

// The ACL stored under `name`, decoded so that a mismatch prints entry by entry.
std::optional<std::vector<AclEntry>> acl_at(const std::string& path, const std::string& name) {
    const std::optional<std::string> blob = get_xattr(path, name);
    if (!blob) return std::nullopt;
    return decode_acl(*blob);
}

bool setfacl_present() {
    return ::access("/usr/bin/setfacl", X_OK) == 0;
}

}  // namespace

TEST_CASE("acl: a raw access ACL is stored with storage ids and read back with mount ids") {
    Volume vol({.options = {"cache=none"}});
    make_file(vol.src("f"), kAppStorage, 0640);

    REQUIRE(set_raw(vol.mnt("f"), kAccess, encode_acl(sample_acl(1003, 1004))) == 0);
    CHECK(acl_at(vol.src("f"), kAccess) == sample_acl(2003, 2004));
    CHECK(acl_at(vol.mnt("f"), kAccess) == sample_acl(1003, 1004));
    // Byte for byte, as a tool reading the backing file directly sees it.
    CHECK(get_xattr(vol.src("f"), kAccess) == encode_acl(sample_acl(2003, 2004)));
    // The mask became the group bits, on both sides alike.
    CHECK(permissions_of(vol.src("f")) == 0660);
    CHECK(permissions_of(vol.mnt("f")) == 0660);
}

TEST_CASE("acl: an ACL entry with an unmapped id fails with EINVAL and stores nothing") {
    Volume vol({.options = {"cache=none"}});
    make_file(vol.src("f"), kAppStorage, 0640);
    CHECK(set_raw(vol.mnt("f"), kAccess, encode_acl(sample_acl(5000, 1004))) == EINVAL);
    CHECK(set_raw(vol.mnt("f"), kAccess, encode_acl(sample_acl(1003, 5000))) == EINVAL);
    make_dir(vol.src("d"), kAppStorage, 0755);
    CHECK(set_raw(vol.mnt("d"), kDefault, encode_acl(sample_acl(1003, 5000))) == EINVAL);
    CHECK_FALSE(get_xattr(vol.src("f"), kAccess).has_value());
    CHECK_FALSE(get_xattr(vol.src("d"), kDefault).has_value());
    CHECK(permissions_of(vol.src("f")) == 0640);
}

TEST_CASE("acl: unmapped storage ids in an ACL read as 65534") {
    Volume vol({.options = {"cache=none"}});
    make_file(vol.src("f"), kAppStorage, 0640);
    set_xattr(vol.src("f"), kAccess, encode_acl(sample_acl(5000, 2009)));
    CHECK(acl_at(vol.mnt("f"), kAccess) == sample_acl(kOverflowId, 1009));
}

TEST_CASE("acl: a default ACL set through the mount reads back and removes like natively") {
    Volume vol({.options = {"cache=none"}});
    make_dir(vol.src("d"), kAppStorage, 0755);
    REQUIRE(set_raw(vol.mnt("d"), kDefault, encode_acl(sample_acl(1001, 3000))) == 0);
    CHECK(acl_at(vol.src("d"), kDefault) == sample_acl(2001, 3000));
    CHECK(acl_at(vol.mnt("d"), kDefault) == sample_acl(1001, 3000));
    REQUIRE(errno_of(::removexattr(vol.mnt("d").c_str(), kDefault.c_str())) == 0);
    CHECK_FALSE(get_xattr(vol.src("d"), kDefault).has_value());
    CHECK(errno_of(::getxattr(vol.mnt("d").c_str(), kDefault.c_str(), nullptr, 0)) == ENODATA);
}

TEST_CASE("acl: a user granted read by an ACL_USER entry reads and others do not") {
    Volume vol({.options = {"cache=none"}});
    make_file(vol.src("f"), kAppStorage, 0600, "acl granted");
    const std::vector<AclEntry> acl{{AclTag::user_obj, 6},
                                    {AclTag::user, 4, 1003},
                                    {AclTag::group_obj, 0},
                                    {AclTag::mask, 4},
                                    {AclTag::other, 0}};
    REQUIRE(set_raw(vol.mnt("f"), kAccess, encode_acl(acl)) == 0);

    const Caller granted{1003, 1003, {}};
    const Caller stranger{1004, 1004, {}};
    CHECK(as_user_output(granted, [&] { return read_file(vol.mnt("f")); }) == "acl granted");
    CHECK(as_user(granted, [&] { return open_errno(vol.mnt("f"), O_WRONLY); }) == EACCES);
    CHECK(as_user(stranger, [&] { return open_errno(vol.mnt("f"), O_RDONLY); }) == EACCES);
}

TEST_CASE("acl: default ACLs are inherited by new files and directories as natively") {
    Volume vol({.options = {"cache=none"}});
    // The same parent twice: one used through the mount, one natively on the backing side.
    const std::vector<AclEntry> inherit{{AclTag::user_obj, 7},
                                        {AclTag::group_obj, 5},
                                        {AclTag::group, 7, 1004},
                                        {AclTag::mask, 7},
                                        {AclTag::other, 5}};
    const std::vector<AclEntry> inherit_storage{{AclTag::user_obj, 7},
                                                {AclTag::group_obj, 5},
                                                {AclTag::group, 7, 2004},
                                                {AclTag::mask, 7},
                                                {AclTag::other, 5}};
    make_dir(vol.src("via-mount"), kAppStorage, 0755);
    make_dir(vol.src("native"), kAppStorage, 0755);
    REQUIRE(set_raw(vol.mnt("via-mount"), kDefault, encode_acl(inherit)) == 0);
    set_xattr(vol.src("native"), kDefault, encode_acl(inherit_storage));

    const auto create_in = [](const std::string& dir) {
        const UniqueFd fd(::open((dir + "/f").c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0666));
        return fd ? errno_of(::mkdir((dir + "/d").c_str(), 0777)) : errno;
    };
    REQUIRE(as_user(kApp, [&] { return create_in(vol.mnt("via-mount")); }) == 0);
    REQUIRE(as_user({2000, 2000, {}}, [&] { return create_in(vol.src("native")); }) == 0);

    for (const char* name : {"f", "d"}) {
        INFO(name);
        const std::string via_mount = vol.src("via-mount/") + name;
        const std::string native = vol.src("native/") + name;
        CHECK(acl_at(via_mount, kAccess) == acl_at(native, kAccess));
        CHECK(permissions_of(via_mount) == permissions_of(native));
        const auto seen = acl_at(vol.mnt("via-mount/") + name, kAccess);
        REQUIRE(seen.has_value());
        REQUIRE(seen->size() == 5);
        CHECK(seen->at(2) == AclEntry{AclTag::group, 7, 1004});
    }
    CHECK(acl_at(vol.src("via-mount/d"), kDefault) == inherit_storage);
    CHECK(acl_at(vol.mnt("via-mount/d"), kDefault) == inherit);
}

TEST_CASE("acl: setfacl and getfacl through the mount see mount ids") {
    // packaging/install-deps installs the acl package: a missing tool is a failed test, not a pass.
    REQUIRE(setfacl_present());
    Volume vol({.options = {"cache=none"}});
    make_file(vol.src("f"), kAppStorage, 0640);
    std::string output;
    REQUIRE(run_program({"setfacl", "-m", "u:1005:r,g:1006:rw", vol.mnt("f")}, &output) == 0);
    REQUIRE(run_program({"getfacl", "-n", "-p", "--omit-header", vol.mnt("f")}, &output) == 0);
    CHECK(output ==
          "user::rw-\nuser:1005:r--\ngroup::r--\ngroup:1006:rw-\nmask::rw-\nother::---\n\n");
    REQUIRE(run_program({"getfacl", "-n", "-p", "--omit-header", vol.src("f")}, &output) == 0);
    CHECK(output ==
          "user::rw-\nuser:2005:r--\ngroup::r--\ngroup:2006:rw-\nmask::rw-\nother::---\n\n");

    CHECK(run_program({"setfacl", "-m", "u:5000:r", vol.mnt("f")}, &output) != 0);
    CHECK_THAT(output, Catch::Contains("Invalid argument"));
}

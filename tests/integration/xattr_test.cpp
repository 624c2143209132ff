// Extended attributes other than ACLs: user.* passes through byte for byte; the file capability
// v3 root id is a uid and maps like one.
#include <sys/xattr.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdint>
#include <string>

#include "support/child.hpp"
#include "support/files.hpp"
#include "support/mount_fixture.hpp"

using namespace idshift::itest;

namespace {

// struct vfs_ns_cap_data (linux/capability.h), revision 3: magic_etc, {permitted, inheritable}
// for two 32-bit words, then the root id, all little endian.
std::string capability_v3(std::uint32_t permitted_low, std::uint32_t root_id) {
    const std::uint32_t words[] = {
        0x03000000u | 0x1u /* effective */, permitted_low, 0, 0, 0, root_id};
    std::string blob;
    for (const std::uint32_t word : words)
        for (int i = 0; i < 4; ++i)
            blob.push_back(static_cast<char>((word >> (8 * i)) & 0xff));
    return blob;
}

std::string list_names(const std::string& path) {
    std::string names(4096, '\0');
    const ssize_t n = ::llistxattr(path.c_str(), names.data(), names.size());
    REQUIRE(n >= 0);
    names.resize(static_cast<std::size_t>(n));
    return names;
}

constexpr std::uint32_t kCapNetBindService = 1u << 10;

}  // namespace

TEST_CASE("xattr: user attributes pass through unchanged both ways") {
    Volume vol({.options = {"cache=none"}});
    make_file(vol.src("f"), kAppStorage, 0644);
    const std::string binary("\0\x01\xff value", 9);
    REQUIRE(errno_of(::setxattr(vol.mnt("f").c_str(), "user.through-mount", binary.data(),
                                binary.size(), 0)) == 0);
    set_xattr(vol.src("f"), "user.on-backing", "plain");

    CHECK(get_xattr(vol.src("f"), "user.through-mount") == binary);
    CHECK(get_xattr(vol.mnt("f"), "user.through-mount") == binary);
    CHECK(get_xattr(vol.mnt("f"), "user.on-backing") == "plain");
    CHECK(list_names(vol.mnt("f")) == list_names(vol.src("f")));

    CHECK(errno_of(::setxattr(vol.mnt("f").c_str(), "user.on-backing", "x", 1, XATTR_CREATE)) ==
          EEXIST);
    CHECK(errno_of(::setxattr(vol.mnt("f").c_str(), "user.absent", "x", 1, XATTR_REPLACE)) ==
          ENODATA);
    REQUIRE(errno_of(::removexattr(vol.mnt("f").c_str(), "user.through-mount")) == 0);
    CHECK_FALSE(get_xattr(vol.src("f"), "user.through-mount").has_value());
    char small[2];
    CHECK(errno_of(::getxattr(vol.mnt("f").c_str(), "user.on-backing", small, sizeof small)) ==
          ERANGE);
}

TEST_CASE("xattr: only the owner may set user attributes, as natively") {
    Volume vol({.options = {"cache=none"}});
    make_file(vol.src("f"), kAppStorage, 0644);
    CHECK(as_user(kOtherApp, [&] {
              return errno_of(::setxattr(vol.mnt("f").c_str(), "user.x", "1", 1, 0));
          }) == EACCES);
    CHECK(as_user(kApp, [&] {
              return errno_of(::setxattr(vol.mnt("f").c_str(), "user.x", "1", 1, 0));
          }) == 0);
    CHECK(get_xattr(vol.src("f"), "user.x") == "1");
}

TEST_CASE("xattr: a v3 file capability's root id is stored storage-side and read mount-side") {
    Volume vol({.options = {"cache=none"}});
    make_file(vol.src("tool"), kRootOwner, 0755);
    const std::string mount_side = capability_v3(kCapNetBindService, 1000);
    REQUIRE(errno_of(::setxattr(vol.mnt("tool").c_str(), "security.capability", mount_side.data(),
                                mount_side.size(), 0)) == 0);
    CHECK(get_xattr(vol.src("tool"), "security.capability") ==
          capability_v3(kCapNetBindService, 2000));
    CHECK(get_xattr(vol.mnt("tool"), "security.capability") == mount_side);
}

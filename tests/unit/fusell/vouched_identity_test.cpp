// vouched_identity: which storage identity runs a request the kernel sent without the caller's
// ids, so that the inode's own mode grants it exactly the access the request needs.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <vector>

#include "vouched_identity.hpp"

using namespace idshift::fusell;
using idshift::idmap::StorageGid;
using idshift::idmap::StorageUid;

namespace {

struct stat inode(uid_t uid, gid_t gid, mode_t mode) {
    struct stat st {};
    st.st_uid = uid;
    st.st_gid = gid;
    st.st_mode = mode;
    return st;
}

VouchedIdentity as(unsigned uid, unsigned gid) {
    return {StorageUid{uid}, StorageGid{gid}};
}

std::optional<VouchedIdentity> one(const struct stat& st, int access) {
    const AccessNeed need{&st, access};
    return vouched_identity({&need, 1});
}

}  // namespace

TEST_CASE("vouched identity: the owner, where the owner's bits grant the access") {
    const struct stat file = inode(101000, 101000, S_IFREG | 0644);
    CHECK(one(file, W_OK) == as(101000, 101000));
    CHECK(one(file, R_OK | W_OK) == as(101000, 101000));
}

TEST_CASE("vouched identity: a member of the group, where only the group's bits grant it") {
    const struct stat file = inode(101000, 2000, S_IFREG | 0464);
    CHECK(one(file, W_OK) == as(65534, 2000));
}

TEST_CASE("vouched identity: a stranger, where only the others' bits grant it") {
    const struct stat file = inode(101000, 2000, S_IFREG | 0446);
    CHECK(one(file, W_OK) == as(65534, 65534));
}

TEST_CASE("vouched identity: none where no class grants the access, and never root") {
    CHECK(one(inode(101000, 101000, S_IFREG | 0444), W_OK) == std::nullopt);
    // Root's file: its owner is the one identity whose bits grant the write, and root is what the
    // storage squashes.
    CHECK(one(inode(0, 0, S_IFREG | 0644), W_OK) == std::nullopt);
    CHECK(one(inode(0, 0, S_IFDIR | 0755), X_OK) == as(65534, 0));
}

TEST_CASE("vouched identity: a stranger owns none of the inodes") {
    const struct stat file = inode(65534, 65534, S_IFREG | 0646);
    CHECK(one(file, W_OK) == as(65534, 65534));  // the owner's bits grant it
    const struct stat others_only = inode(65534, 65534, S_IFREG | 0606);
    CHECK(one(others_only, R_OK) == as(65534, 65534));
    const struct stat no_owner_read = inode(65534, 65534, S_IFREG | 0064);
    CHECK(one(no_owner_read, R_OK) == as(65533, 65534));
    const struct stat other_read = inode(65534, 65534, S_IFREG | 0004);
    CHECK(one(other_read, R_OK) == as(65533, 65533));
}

TEST_CASE("vouched identity: rename between two directories needs one identity for both") {
    const struct stat from = inode(101000, 101000, S_IFDIR | 0755);
    const struct stat to = inode(101001, 101001, S_IFDIR | 0755);
    const std::vector<AccessNeed> closed{{&from, W_OK | X_OK}, {&to, W_OK | X_OK}};
    CHECK(vouched_identity(closed) == std::nullopt);
    const struct stat open_to = inode(101001, 101001, S_IFDIR | 0757);
    const std::vector<AccessNeed> open{{&from, W_OK | X_OK}, {&open_to, W_OK | X_OK}};
    CHECK(vouched_identity(open) == as(101000, 101000));
}

TEST_CASE("vouched identity: in a sticky directory only the entry's owner or the directory's") {
    const struct stat tmp = inode(0, 0, S_IFDIR | 01777);
    const struct stat mine = inode(101000, 101000, S_IFREG | 0644);
    const AccessNeed unlink{&tmp, W_OK | X_OK, &mine};
    CHECK(vouched_identity({&unlink, 1}) == as(101000, 101000));
    // Without the sticky bit a stranger would do; with it, a stranger is refused.
    const struct stat roots = inode(0, 0, S_IFREG | 0644);
    const AccessNeed unlink_roots{&tmp, W_OK | X_OK, &roots};
    CHECK(vouched_identity({&unlink_roots, 1}) == std::nullopt);
}

TEST_CASE("vouched identity: what only the owner may do goes to the owner alone") {
    const struct stat file = inode(101000, 2000, S_IFREG | 0666);
    const AccessNeed chmod{&file, 0, nullptr, true};
    CHECK(vouched_identity({&chmod, 1}) == as(101000, 2000));
    const struct stat roots = inode(0, 0, S_IFREG | 0666);
    const AccessNeed chmod_roots{&roots, 0, nullptr, true};
    CHECK(vouched_identity({&chmod_roots, 1}) == std::nullopt);
}

// The standard starting tree and the helpers the case tables share.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <stdexcept>

#include "idshift/sys/unique_fd.hpp"
#include "parity_case.hpp"

namespace idshift::robust {
namespace {

[[noreturn]] void setup_failed(const char* step, const std::string& path) {
    throw std::runtime_error(std::string("setup ") + step + " " + path + ": " + errno_name(errno));
}

const Owner kRootOwner{0, 0};

}  // namespace

std::string TreeBuilder::full(const std::string& path) const {
    return (root_ / path).string();
}

void TreeBuilder::own(const std::string& path, mode_t mode, Owner owner, bool is_symlink) {
    const std::string where = full(path);
    if (::lchown(where.c_str(), owner.uid, owner.gid) != 0) setup_failed("lchown", where);
    if (!is_symlink && ::chmod(where.c_str(), mode) != 0) setup_failed("chmod", where);
}

void TreeBuilder::dir(const std::string& path, mode_t mode, Owner owner) {
    if (::mkdir(full(path).c_str(), 0700) != 0) setup_failed("mkdir", full(path));
    own(path, mode, owner, false);
}

void TreeBuilder::file(const std::string& path, mode_t mode, Owner owner,
                       std::string_view content) {
    const sys::UniqueFd fd(
        ::open(full(path).c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (!fd) setup_failed("create", full(path));
    if (::write(fd.get(), content.data(), content.size()) != static_cast<ssize_t>(content.size())) {
        setup_failed("write", full(path));
    }
    own(path, mode, owner, false);
}

void TreeBuilder::symlink(const std::string& target, const std::string& path, Owner owner) {
    if (::symlink(target.c_str(), full(path).c_str()) != 0) setup_failed("symlink", full(path));
    own(path, 0, owner, true);
}

void TreeBuilder::fifo(const std::string& path, mode_t mode, Owner owner) {
    if (::mkfifo(full(path).c_str(), 0600) != 0) setup_failed("mkfifo", full(path));
    own(path, mode, owner, false);
}

void TreeBuilder::hardlink(const std::string& existing, const std::string& path) {
    if (::link(full(existing).c_str(), full(path).c_str()) != 0) setup_failed("link", full(path));
}

void TreeBuilder::chmod(const std::string& path, mode_t mode) {
    if (::chmod(full(path).c_str(), mode) != 0) setup_failed("chmod", full(path));
}

void TreeBuilder::chown(const std::string& path, Owner owner) {
    if (::lchown(full(path).c_str(), owner.uid, owner.gid) != 0) setup_failed("lchown", full(path));
}

void TreeBuilder::times(const std::string& path, timespec atime, timespec mtime) {
    const timespec both[2] = {atime, mtime};
    if (::utimensat(AT_FDCWD, full(path).c_str(), both, AT_SYMLINK_NOFOLLOW) != 0) {
        setup_failed("utimensat", full(path));
    }
}

void build_standard_layout(TreeBuilder& tree, const Caller& caller) {
    const Owner me = owner_of(caller);
    const Owner alice = owner_of(kAlice);
    const Owner bob = owner_of(kBob);
    const Owner root_team{0, kTeamGroup};
    // w: the caller's own workspace.
    tree.dir("w", 0755, me);
    tree.file("w/f", 0644, me, "hello\n");
    tree.file("w/g", 0644, me, "other file\n");
    tree.dir("w/d", 0755, me);
    tree.file("w/d/x", 0644, me, "x");
    tree.dir("w/e", 0755, me);
    tree.symlink("f", "w/l", me);
    tree.symlink("d", "w/ld", me);
    tree.symlink("loop2", "w/loop1", me);
    tree.symlink("loop1", "w/loop2", me);
    tree.symlink("missing", "w/dangling", me);
    // r: root's, readable but not writable by others; p: not even searchable.
    tree.dir("r", 0755, kRootOwner);
    tree.file("r/secret", 0600, kRootOwner, "secret\n");
    tree.file("r/public", 0644, kRootOwner, "public\n");
    tree.dir("p", 0700, kRootOwner);
    tree.file("p/f", 0644, kRootOwner, "hidden\n");
    // t: a sticky world-writable directory with entries of two different users.
    tree.dir("t", 01777, kRootOwner);
    tree.file("t/alice", 0644, alice, "a");
    tree.file("t/alice_w", 0666, alice, "aw");
    tree.file("t/bob", 0644, bob, "b");
    tree.dir("t/alice_d", 0755, alice);
    // s: a setgid directory of a group that bob is in and alice is not.
    tree.dir("s", 02777, root_team);
    // o: world-writable files carrying suid/sgid bits, for the clearing rules.
    tree.dir("o", 0777, kRootOwner);
    tree.file("o/shared", 0666, kRootOwner, "shared\n");
    tree.file("o/suid", 04777, kRootOwner, "12345678");
    tree.file("o/sgid", 02777, root_team, "12345678");
    tree.file("o/sgid_nox", 02767, root_team, "12345678");
    tree.file("o/both", 06777, root_team, "12345678");
    tree.file("o/alice_suid", 04777, alice, "12345678");
}

Outcome ok_if(long rc) {
    return rc < 0 ? fails(errno) : ok();
}

Outcome on_open(const char* path, int flags, const std::function<long(int)>& with_fd) {
    const sys::UniqueFd fd(::open(path, flags | O_CLOEXEC, 0644));
    if (!fd) return fails(errno);
    return ok_if(with_fd(fd.get()));
}

Outcome write_at(const char* path, int flags, off_t offset, std::string_view data) {
    return on_open(path, flags, [&](int fd) {
        return static_cast<long>(::pwrite(fd, data.data(), data.size(), offset));
    });
}

std::string name_of_length(std::size_t length) {
    return std::string(length, 'n');
}

std::string path_longer_than_path_max(const std::string& tail) {
    std::string path;
    while (path.size() + tail.size() <= PATH_MAX)
        path += "./";
    return path + tail;
}

}  // namespace idshift::robust

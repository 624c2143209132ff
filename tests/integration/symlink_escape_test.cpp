// Symlinks that point out of the volume: the caller's kernel may follow them (that is the path
// walk's job), but no operation the daemon performs ever reaches the outside file.
#include <fcntl.h>
#include <linux/openat2.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <ostream>
#include <string>
#include <vector>

#include "support/child.hpp"
#include "support/files.hpp"
#include "support/mount_fixture.hpp"
#include "support/temp_dir.hpp"
#include "support/unique_fd.hpp"

using namespace idshift::itest;

namespace {

// Everything about the outside file an escaped operation could change.
struct Snapshot {
    std::string content;
    Owner owner;
    mode_t mode = 0;
    long mtime_sec = 0;
    long mtime_nsec = 0;
    std::optional<std::string> tag;
    std::vector<std::string> siblings;
    friend bool operator==(const Snapshot&, const Snapshot&) = default;
};

std::ostream& operator<<(std::ostream& out, const Snapshot& s) {
    out << "{content \"" << s.content << "\" owner " << s.owner << " mode " << std::oct << s.mode
        << std::dec << " mtime " << s.mtime_sec << "." << s.mtime_nsec << " tag "
        << s.tag.value_or("(none)") << " dir {";
    for (const std::string& name : s.siblings)
        out << ' ' << name;
    return out << " }}";
}

// A directory outside every volume holding `f`, the file escapes would hit.
class Outside {
  public:
    Outside() {
        make_file(file(), kRootOwner, 0644, "outside");
        set_xattr(file(), "user.tag", "original");
        const struct timespec old_times[2] = {{1'000'000'000, 0}, {1'000'000'000, 0}};
        REQUIRE(::utimensat(AT_FDCWD, file().c_str(), old_times, 0) == 0);
    }
    std::string dir() const { return dir_.path(); }
    std::string file() const { return dir_.at("f"); }
    Snapshot snapshot() const {
        const struct stat st = lstat_path(file());
        return {read_file(file()),    {st.st_uid, st.st_gid}, st.st_mode,
                st.st_mtim.tv_sec,    st.st_mtim.tv_nsec,     get_xattr(file(), "user.tag"),
                list_dir(dir_.path())};
    }

  private:
    TempDir dir_{"idshift-out-"};
};

// A relative target that climbs to / from any depth below it, then descends to `absolute`.
std::string dot_dot_target(const std::string& absolute) {
    std::string target;
    for (int i = 0; i < 12; ++i)
        target += "../";
    return target + absolute.substr(1);
}

UniqueFd open_beneath_no_symlinks(int dir_fd, const char* path, int flags) {
    open_how how{};
    how.flags = static_cast<std::uint64_t>(flags | O_CLOEXEC);
    how.resolve = RESOLVE_NO_SYMLINKS;
    return UniqueFd(static_cast<int>(::syscall(SYS_openat2, dir_fd, path, &how, sizeof how)));
}

// One round of operations on d/f and in d, reached without following any symlink in the
// caller's walk; returns false when d was not a directory at that moment.
bool operate_inside(int mount_root) {
    const UniqueFd dir = open_beneath_no_symlinks(mount_root, "d", O_RDONLY | O_DIRECTORY);
    if (!dir) return false;
    const int d = dir.get();
    ::fchownat(d, "f", 1001, 1001, AT_SYMLINK_NOFOLLOW);
    ::fchmodat(d, "f", 0600, 0);
    const struct timespec now[2] = {{0, UTIME_NOW}, {0, UTIME_NOW}};
    ::utimensat(d, "f", now, AT_SYMLINK_NOFOLLOW);
    if (const UniqueFd file(::openat(d, "f", O_RDWR | O_NOFOLLOW | O_CLOEXEC)); file) {
        (void)!::ftruncate(file.get(), 0);
        (void)!::pwrite(file.get(), "escaped?", 8, 0);
        ::fsetxattr(file.get(), "user.tag", "changed", 7, 0);
    }
    if (const UniqueFd created(::openat(d, "created", O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
        created)
        ::unlinkat(d, "created", 0);
    if (::mkdirat(d, "sub", 0755) == 0) ::unlinkat(d, "sub", AT_REMOVEDIR);
    if (::renameat(d, "f", d, "g") == 0) ::renameat(d, "g", d, "f");
    return true;
}

}  // namespace

TEST_CASE("symlink escape: readlink returns the stored text of links that point outside") {
    Outside outside;
    Volume vol({.options = {"cache=none"}});
    const std::string relative = dot_dot_target(outside.file());
    make_symlink(outside.file(), vol.src("absolute"));
    make_symlink(relative, vol.src("relative"));

    CHECK(read_link(vol.mnt("absolute")) == outside.file());
    CHECK(read_link(vol.mnt("relative")) == relative);
    CHECK(lstat_path(vol.mnt("relative")).st_size == static_cast<off_t>(relative.size()));
    // The caller's own path walk follows them, as on any file system.
    CHECK(read_file(vol.mnt("absolute")) == "outside");
    CHECK(read_file(vol.mnt("relative")) == "outside");
    // A symlink made through the mount stores its text verbatim.
    REQUIRE(errno_of(::symlink(relative.c_str(), vol.mnt("made").c_str())) == 0);
    CHECK(read_link(vol.src("made")) == relative);
}

TEST_CASE("symlink escape: operations on a link never act on its outside target") {
    Outside outside;
    const Snapshot before = outside.snapshot();
    Volume vol({.options = {"cache=none"}});
    make_symlink(outside.file(), vol.src("absolute"));
    make_symlink(dot_dot_target(outside.file()), vol.src("relative"));

    for (const char* name : {"absolute", "relative"}) {
        INFO(name);
        const std::string link = vol.mnt(name);
        CHECK(errno_of(::lchown(link.c_str(), 1001, 1001)) == 0);
        CHECK(owner_of(vol.src(name)) == Owner{2001, 2001});
        CHECK(errno_of(::lsetxattr(link.c_str(), "user.tag", "changed", 7, 0)) == EPERM);
        CHECK(open_errno(link, O_WRONLY | O_TRUNC | O_NOFOLLOW) == ELOOP);
        CHECK(errno_of(::fchmodat(AT_FDCWD, link.c_str(), 0777, AT_SYMLINK_NOFOLLOW)) ==
              EOPNOTSUPP);
        const struct timespec times[2] = {{2'000'000'000, 0}, {2'000'000'000, 0}};
        CHECK(errno_of(::utimensat(AT_FDCWD, link.c_str(), times, AT_SYMLINK_NOFOLLOW)) == 0);
        CHECK(lstat_path(vol.src(name)).st_mtim.tv_sec == 2'000'000'000);
        const std::string hard = link + ".hard";
        CHECK(errno_of(::link(link.c_str(), hard.c_str())) == 0);
        CHECK(S_ISLNK(lstat_path(vol.src(std::string(name) + ".hard")).st_mode));
        CHECK(errno_of(::rename(link.c_str(), (link + ".moved").c_str())) == 0);
        CHECK(errno_of(::unlink((link + ".moved").c_str())) == 0);
        CHECK(errno_of(::unlink(hard.c_str())) == 0);
    }
    CHECK(outside.snapshot() == before);
}

TEST_CASE(
    "symlink escape: a directory swapped for an outside symlink mid-operation is never "
    "followed") {
    Outside outside;
    const Snapshot before = outside.snapshot();
    Volume vol({.options = {"cache=none"}});
    make_dir(vol.src("d"), kRootOwner, 0755);
    make_file(vol.src("d/f"), kAppStorage, 0644, "inside");
    make_symlink(outside.dir(), vol.src("l"));
    const UniqueFd mount_root(::open(vol.mnt().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    REQUIRE(mount_root);

    {
        // On the backing side, exchange d (the directory) and l (the symlink) without pause.
        const std::string d = vol.src("d");
        const std::string l = vol.src("l");
        ChildProcess swapper(kRoot, [&](Channel& channel) {
            channel.send("ready");
            for (;;)
                ::renameat2(AT_FDCWD, d.c_str(), AT_FDCWD, l.c_str(), RENAME_EXCHANGE);
            return 0;
        });
        REQUIRE(swapper.channel().receive() == "ready");
        for (int round = 0; round < 400; ++round)
            operate_inside(mount_root.get());
    }  // the swapper is killed here

    if (S_ISLNK(lstat_path(vol.src("d")).st_mode))
        REQUIRE(::renameat2(AT_FDCWD, vol.src("d").c_str(), AT_FDCWD, vol.src("l").c_str(),
                            RENAME_EXCHANGE) == 0);
    REQUIRE(operate_inside(mount_root.get()));  // at least one round certainly ran inside
    CHECK(read_file(vol.src("d/f")) == "escaped?");
    CHECK(get_xattr(vol.src("d/f"), "user.tag") == "changed");
    CHECK(outside.snapshot() == before);
}

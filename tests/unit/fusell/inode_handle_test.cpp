// Nodes keep a file handle instead of an fd; these check that a node evicted from the fd cache is
// reopened by its handle, and that a deleted inode's handle is stale.
// [root]: open_by_handle_at needs CAP_DAC_READ_SEARCH, and the fixture acts as other callers.
#include <fcntl.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <fstream>

#include "fs_fixture.hpp"
#include "inode_handle.hpp"

using namespace idshift::fusell;
using namespace idshift::fusell::testing;
using idshift::sys::UniqueFd;

TEST_CASE("a handle reopens the same inode through an open directory of its mount", "[root]") {
    char dir[] = "/var/tmp/idshift-handle-XXXXXX";
    REQUIRE(::mkdtemp(dir) != nullptr);
    const std::string file = std::string(dir) + "/f";
    std::ofstream(file) << "x";
    UniqueFd fd(::open(file.c_str(), O_PATH | O_CLOEXEC));
    auto handle = handle_of(fd.get());
    REQUIRE(handle.ok());
    REQUIRE_FALSE(handle->empty());
    // The kernel wants a real open file on the mount; an O_PATH fd does not do.
    UniqueFd path_fd(::open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC));
    CHECK(open_handle(path_fd.get(), *handle).error() == EBADF);
    UniqueFd mount_fd(::open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    auto reopened = open_handle(mount_fd.get(), *handle);
    REQUIRE(reopened.ok());
    CHECK(idshift::sys::stat_fd(reopened->get())->st_ino ==
          idshift::sys::stat_fd(fd.get())->st_ino);
    ::unlink(file.c_str());
    ::rmdir(dir);
}

TEST_CASE("nodes evicted from the fd cache are reopened by handle", "[root]") {
    FsOptions options;
    options.fd_cache_size = 1;
    FsFixture f(options);
    std::ofstream(f.backing("a")) << "aaa";
    std::ofstream(f.backing("b")) << "bb";
    const auto a = f.lookup("a");
    const auto b = f.lookup("b");  // evicts a's fd
    auto attr = f.fs().getattr(a.ino, std::nullopt);
    REQUIRE(attr.ok());
    CHECK(attr->attr.st_size == 3);
    CHECK(attr->attr.st_ino == f.backing_stat("a").st_ino);
    auto opened = f.fs().open(f.root(), b.ino, O_RDONLY);
    REQUIRE(opened.ok());
    auto data = f.fs().read(opened->fh, 10, 0);
    REQUIRE(data.ok());
    CHECK(std::string(data->data(), data->size()) == "bb");
    f.fs().release(opened->fh, false);
}

TEST_CASE("a node whose inode is gone answers ESTALE once its fd is evicted", "[root]") {
    FsOptions options;
    options.fd_cache_size = 1;
    FsFixture f(options);
    std::ofstream(f.backing("doomed")) << "x";
    std::ofstream(f.backing("other")) << "y";
    const auto doomed = f.lookup("doomed");
    REQUIRE(::unlink(f.backing("doomed").c_str()) == 0);
    f.lookup("other");  // evicts doomed's fd, the last reference to the inode
    CHECK(f.fs().getattr(doomed.ino, std::nullopt).error() == ESTALE);
}

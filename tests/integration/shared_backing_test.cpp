// Two images, one volume: two mounts of one backing directory with different maps.
#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <string>

#include "support/child.hpp"
#include "support/files.hpp"
#include "support/mount_fixture.hpp"
#include "support/temp_dir.hpp"
#include "support/unique_fd.hpp"

using namespace idshift::itest;

namespace {

// Image A calls the application user 1000, image B calls it 2000; storage knows it as 1000.
constexpr std::string_view kImageA = "uid 0 0 1\ngid 0 0 1\nuid 1000 1000\ngid 1000 1000\n";
constexpr std::string_view kImageB = "uid 0 0 1\ngid 0 0 1\nuid 2000 1000\ngid 2000 1000\n";
const Caller kAppInA{1000, 1000, {}};
const Caller kAppInB{2000, 2000, {}};

int write_as(const Caller& caller, const std::string& path, std::string_view content) {
    return as_user(caller, [&] {
        const UniqueFd fd(::open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644));
        if (!fd) return errno;
        return ::write(fd.get(), content.data(), content.size()) ==
                       static_cast<ssize_t>(content.size())
                   ? 0
                   : EIO;
    });
}

}  // namespace

TEST_CASE("shared backing: a file made by the app in image A belongs to the app in image B") {
    TempDir backing("idshift-src-");
    make_dir(backing.at("data"), {1000, 1000}, 0755);
    Mount a(backing.path(), {.map = std::string(kImageA), .options = {"cache=none"}});
    Mount b(backing.path(), {.map = std::string(kImageB), .options = {"cache=none"}});

    REQUIRE(write_as(kAppInA, a.at("data/from-a"), "written in A") == 0);
    CHECK(owner_of(backing.at("data/from-a")) == Owner{1000, 1000});
    CHECK(owner_of(a.at("data/from-a")) == Owner{1000, 1000});
    CHECK(owner_of(b.at("data/from-a")) == Owner{2000, 2000});
    CHECK(owner_of(a.at("data")) == Owner{1000, 1000});
    CHECK(owner_of(b.at("data")) == Owner{2000, 2000});

    // B's app owns it, so it may rewrite it; A reads what B wrote.
    REQUIRE(write_as(kAppInB, b.at("data/from-a"), "rewritten in B, longer") == 0);
    CHECK(read_file(a.at("data/from-a")) == "rewritten in B, longer");
    REQUIRE(write_as(kAppInB, b.at("data/from-b"), "made in B") == 0);
    CHECK(owner_of(a.at("data/from-b")) == Owner{1000, 1000});
    CHECK(owner_of(backing.at("data/from-b")) == Owner{1000, 1000});
    CHECK(list_dir(a.at("data")) == list_dir(b.at("data")));
}

TEST_CASE("shared backing: each mount refuses ids only its own map lacks") {
    TempDir backing("idshift-src-");
    make_dir(backing.at("open"), {0, 0}, 0777);
    Mount a(backing.path(), {.map = std::string(kImageA), .options = {"cache=none"}});
    Mount b(backing.path(), {.map = std::string(kImageB), .options = {"cache=none"}});

    CHECK(write_as(kAppInB, a.at("open/f"), "x") == EOVERFLOW);  // 2000 means nothing in A
    CHECK(write_as(kAppInA, b.at("open/f"), "x") == EOVERFLOW);  // 1000 means nothing in B
    CHECK(list_dir(backing.at("open")).empty());
    REQUIRE(errno_of(::chown(b.at("open").c_str(), 2000, 2000)) == 0);
    CHECK(owner_of(a.at("open")) == Owner{1000, 1000});
    CHECK(errno_of(::chown(a.at("open").c_str(), 2000, 2000)) == EOVERFLOW);
}

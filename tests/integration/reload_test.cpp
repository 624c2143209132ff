// SIGHUP reloads the map file: a bad one is rejected and the old map keeps serving, a good one
// changes what the mount shows and stores.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <string>

#include "support/child.hpp"
#include "support/eventually.hpp"
#include "support/files.hpp"
#include "support/mount_fixture.hpp"
#include "support/unique_fd.hpp"

using namespace idshift::itest;

namespace {

// The standard map with the 1000 range moved to 1500 (storage stays 2000..2009).
constexpr std::string_view kShiftedMap =
    "uid 0 0 1\ngid 0 0 1\nuid 1500 2000 10\ngid 1500 2000 10\nuid 3000 3000\ngid 3000 3000\n";

int create_as(const Caller& caller, const std::string& path) {
    return as_user(caller, [&] { return create_errno(path); });
}

// Whether the daemon's log, past its first `from` bytes, contains `text`.
bool log_mentions_since(const Mount& mount, std::size_t from, const std::string& text) {
    const std::string log = mount.log();
    return log.size() > from && log.find(text, from) != std::string::npos;
}

}  // namespace

TEST_CASE("reload: a bad map on SIGHUP is rejected, named, and the old map keeps serving") {
    Volume vol({.options = {"cache=none"}});
    make_dir(vol.src("open"), kRootOwner, 0777);
    make_file(vol.src("f"), {2005, 2005}, 0644);
    REQUIRE(owner_of(vol.mnt("f")) == Owner{1005, 1005});
    Mount& mount = vol.mount();

    const std::size_t log_size = mount.log().size();
    mount.replace_map("uid 0 0 1\nuid 1000 2000 ten\n");  // line 2 is wrong
    mount.signal(SIGHUP);
    REQUIRE(
        eventually([&] { return log_mentions_since(mount, log_size, mount.map_path() + ":2"); }));

    CHECK(mount.daemon_running());
    CHECK(owner_of(vol.mnt("f")) == Owner{1005, 1005});
    CHECK(create_as(kApp, vol.mnt("open/new")) == 0);
    CHECK(owner_of(vol.src("open/new")) == kAppStorage);
}

TEST_CASE("reload: a good map on SIGHUP changes ownership through the mount") {
    // cache=auto may serve attributes cached before the reload until they time out, unless the
    // daemon invalidates them; the wait below allows for either.
    const char* cache = GENERATE("cache=none", "cache=auto");
    INFO(cache);
    Volume vol({.options = {cache}});
    make_dir(vol.src("open"), kRootOwner, 0777);
    make_file(vol.src("f"), {2005, 2005}, 0644);
    REQUIRE(owner_of(vol.mnt("f")) == Owner{1005, 1005});

    vol.mount().replace_map(kShiftedMap);
    vol.mount().signal(SIGHUP);
    CHECK(eventually([&] { return owner_of(vol.mnt("f")) == Owner{1505, 1505}; }));
    CHECK(owner_of(vol.mnt("f")) == Owner{1505, 1505});

    CHECK(create_as({1500, 1500, {}}, vol.mnt("open/by-1500")) == 0);
    CHECK(owner_of(vol.src("open/by-1500")) == kAppStorage);
    CHECK(create_as(kApp, vol.mnt("open/by-1000")) == EOVERFLOW);
    CHECK(vol.mount().daemon_running());
}

TEST_CASE("reload: with cache=always the reload invalidates cached attributes at once") {
    Volume vol({.options = {"cache=always"}});
    make_file(vol.src("f"), {2005, 2005}, 0644);
    REQUIRE(owner_of(vol.mnt("f")) == Owner{1005, 1005});  // now cached for a long time
    Mount& mount = vol.mount();
    const std::size_t log_size = mount.log().size();

    mount.replace_map(kShiftedMap);
    mount.signal(SIGHUP);
    // The daemon logs this after it has told the kernel to drop every cached attribute.
    REQUIRE(eventually([&] { return log_mentions_since(mount, log_size, "invalidated"); }));
    CHECK(owner_of(vol.mnt("f")) == Owner{1505, 1505});
}

TEST_CASE("reload: a map file that vanished is rejected and the old map keeps serving") {
    Volume vol({.options = {"cache=none"}});
    make_file(vol.src("f"), {2005, 2005}, 0644);
    Mount& mount = vol.mount();
    const std::size_t log_size = mount.log().size();
    REQUIRE(::unlink(mount.map_path().c_str()) == 0);
    mount.signal(SIGHUP);
    REQUIRE(eventually([&] { return log_mentions_since(mount, log_size, mount.map_path()); }));
    CHECK(mount.daemon_running());
    CHECK(owner_of(vol.mnt("f")) == Owner{1005, 1005});
}

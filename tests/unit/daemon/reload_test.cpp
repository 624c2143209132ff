#include <unistd.h>
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <string>

#include "config.hpp"
#include "reload.hpp"

using namespace idshift;

namespace {

struct TempMap {
    TempMap() {
        char templ[] = "/var/tmp/idshift-map-XXXXXX";
        const int fd = ::mkstemp(templ);
        REQUIRE(fd >= 0);
        ::close(fd);
        path = templ;
    }
    ~TempMap() { ::unlink(path.c_str()); }
    void write(const std::string& text) const { std::ofstream(path) << text; }
    std::string path;
};

// No storage names are looked up by these maps.
struct NoNames final : idmap::NameResolver {
    std::optional<std::uint32_t> uid_of(std::string_view) const override { return std::nullopt; }
    std::optional<std::uint32_t> gid_of(std::string_view) const override { return std::nullopt; }
};

// The map `file` holds now.
idmap::IdMap load_initial(const TempMap& file) {
    auto loaded = idmap::load_map_file(file.path, NoNames{});
    REQUIRE(loaded.ok());
    return std::move(*loaded.map);
}

std::uint32_t storage_of(const idmap::MapHolder& maps, std::uint32_t mount_uid) {
    auto mapped = maps.snapshot()->find_storage(idmap::MountUid{mount_uid});
    return mapped ? idmap::raw(*mapped) : 0xFFFFFFFFu;
}

}  // namespace

TEST_CASE("a good map file replaces the map at once") {
    TempMap file;
    file.write("uid 0 100000 10\ngid 0 100000 10\n");
    idmap::MapHolder maps(load_initial(file));
    CHECK(storage_of(maps, 1) == 100001);
    const auto before = maps.snapshot();

    file.write("uid 0 200000 10\ngid 0 200000 10\n");
    CHECK(daemon::reload_map(file.path, maps, NoNames{}).empty());
    CHECK(storage_of(maps, 1) == 200001);
    // A request that took the old snapshot keeps it.
    CHECK(idmap::raw(*before->find_storage(idmap::MountUid{1})) == 100001);
}

TEST_CASE("a bad map file is rejected with every error, and the old map keeps serving") {
    TempMap file;
    file.write("uid 0 100000 10\n");
    idmap::MapHolder maps(load_initial(file));
    const auto before = maps.snapshot();

    file.write("uid 0 100000 10\nbogus line\nuid 5 100002 1\n");
    const auto errors = daemon::reload_map(file.path, maps, NoNames{});
    REQUIRE(errors.size() >= 2);
    CHECK(errors[0].file == file.path);
    CHECK(errors[0].line == 2);
    CHECK(errors.back().line == 3);
    CHECK(maps.snapshot() == before);
    CHECK(storage_of(maps, 1) == 100001);
}

TEST_CASE("an unreadable map file is rejected the same way") {
    TempMap file;
    file.write("uid 0 100000 10\n");
    idmap::MapHolder maps(load_initial(file));
    const auto before = maps.snapshot();
    const auto errors = daemon::reload_map(file.path + ".missing", maps, NoNames{});
    REQUIRE(errors.size() == 1);
    CHECK(maps.snapshot() == before);
}

TEST_CASE("inline maps load through the same path") {
    auto inline_config = [](const char* uidmap, const char* gidmap) {
        daemon::Config config;
        config.uidmap.emplace(uidmap);
        config.gidmap.emplace(gidmap);
        return config;
    };
    auto loaded = daemon::load_map(inline_config("0:100000:65536", "0:100000:65536"));
    REQUIRE(loaded.ok());
    CHECK(idmap::raw(*loaded.map->find_storage(idmap::MountUid{0})) == 100000);
    CHECK_FALSE(daemon::load_map(inline_config("0:100000", "0:100000:65536")).ok());
}

// A map is a privilege: a map, or a passwd/group file it names, that anyone but root (or the
// daemon's own user) could edit is refused, naming the file and the fix.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "idshift/idmap/map_file.hpp"
#include "idshift/idmap/name_resolver.hpp"

namespace idshift::idmap {
namespace {

namespace fs = std::filesystem;

// A private directory (0700, ours) holding a map and an image passwd file it names.
class MapDir {
  public:
    MapDir() {
        char pattern[] = "/tmp/idshift-trust-XXXXXX";
        REQUIRE(::mkdtemp(pattern) != nullptr);
        dir_ = pattern;
        write("passwd", "app:x:1000:1000::/:/bin/sh\n", 0644);
        write("storage-passwd", "app:x:3000:3000::/:/bin/sh\n", 0644);
        write("web.map",
              "passwd " + at("passwd") + "\nstorage-passwd " + at("storage-passwd") +
                  "\nuser app = app\n",
              0644);
    }
    MapDir(const MapDir&) = delete;
    MapDir& operator=(const MapDir&) = delete;
    ~MapDir() { fs::remove_all(dir_); }

    std::string at(const std::string& name) const { return (dir_ / name).string(); }
    const fs::path& dir() const { return dir_; }

    void write(const std::string& name, const std::string& text, mode_t mode) const {
        std::ofstream(at(name)) << text;
        REQUIRE(::chmod(at(name).c_str(), mode) == 0);
    }

  private:
    fs::path dir_;
};

const NssResolver kNoNss;

std::string only_error(const MapLoad& load) {
    REQUIRE_FALSE(load.ok());
    REQUIRE(load.errors.size() == 1);
    return load.errors.front().to_string();
}

}  // namespace

TEST_CASE("map trust: a map only root can write, in a private directory, loads") {
    const MapDir maps;
    const MapLoad load = load_map_file(maps.at("web.map"), kNoNss);
    REQUIRE(load.ok());
    CHECK(load.map->uids().to_storage(MountUid{1000}) == StorageUid{3000});
}

TEST_CASE("map trust: a map writable by others or its group is refused, naming the fix") {
    const MapDir maps;
    const std::string map = maps.at("web.map");
    REQUIRE(::chmod(map.c_str(), 0666) == 0);
    CHECK(only_error(load_map_file(map, kNoNss)) ==
          map +
              ": writable by its group or others (mode 0666): whoever can edit it decides who "
              "is storage root; run chmod go-w " +
              map);
    REQUIRE(::chmod(map.c_str(), 0664) == 0);
    CHECK(only_error(load_map_file(map, kNoNss)) ==
          map +
              ": writable by its group or others (mode 0664): whoever can edit it decides who "
              "is storage root; run chmod go-w " +
              map);
}

TEST_CASE("map trust: a passwd file the map names that others can write is refused at its line") {
    const MapDir maps;
    const std::string passwd = maps.at("storage-passwd");
    REQUIRE(::chmod(passwd.c_str(), 0646) == 0);
    CHECK(only_error(load_map_file(maps.at("web.map"), kNoNss)) ==
          maps.at("web.map") + ":2: " + passwd +
              ": writable by its group or others (mode 0646): whoever can edit it decides who is "
              "storage root; run chmod go-w " +
              passwd);
}

TEST_CASE("map trust: a directory above the map that others can write is refused unless sticky") {
    const MapDir maps;
    const std::string dir = maps.dir().string();
    REQUIRE(::chmod(dir.c_str(), 0777) == 0);
    const std::string error = only_error(load_map_file(maps.at("web.map"), kNoNss));
    CHECK(error == maps.at("web.map") + ": the directory " + dir +
                       " above it is writable by its group or others and not sticky (mode 0777): "
                       "whoever can edit it decides who is storage root; run chmod go-w " +
                       dir);
    // Sticky, like /tmp: others cannot rename or remove what is ours.
    REQUIRE(::chmod(dir.c_str(), 01777) == 0);
    CHECK(load_map_file(maps.at("web.map"), kNoNss).ok());
}

TEST_CASE("map trust: map_owner_check=off reads what the check would refuse") {
    const MapDir maps;
    REQUIRE(::chmod(maps.at("web.map").c_str(), 0666) == 0);
    REQUIRE(::chmod(maps.at("passwd").c_str(), 0666) == 0);
    REQUIRE(::chmod(maps.dir().c_str(), 0777) == 0);
    const MapLoad load = load_map_file(maps.at("web.map"), kNoNss, FileTrust::unchecked);
    REQUIRE(load.ok());
    CHECK(load.map->uids().to_storage(MountUid{1000}) == StorageUid{3000});
}

TEST_CASE("map trust: a map owned by another user is refused", "[root]") {
    const MapDir maps;
    const std::string map = maps.at("web.map");
    REQUIRE(::chown(map.c_str(), 1234, 1234) == 0);
    CHECK(only_error(load_map_file(map, kNoNss)) ==
          map +
              ": owned by uid 1234, not by root or the daemon's user: whoever can edit it "
              "decides who is storage root; run chown root " +
              map);
}

TEST_CASE("map trust: a directory above the map owned by another user is refused", "[root]") {
    const MapDir maps;
    const std::string dir = maps.dir().string();
    REQUIRE(::chown(dir.c_str(), 1234, 1234) == 0);
    CHECK(only_error(load_map_file(maps.at("web.map"), kNoNss)) ==
          maps.at("web.map") + ": the directory " + dir +
              " above it is owned by uid 1234, not by root or the daemon's user: whoever can edit "
              "it decides who is storage root; run chown root " +
              dir);
}

}  // namespace idshift::idmap

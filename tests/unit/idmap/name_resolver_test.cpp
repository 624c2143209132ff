#include "idshift/idmap/name_resolver.hpp"

#include <catch2/catch.hpp>
#include <string>

namespace idshift::idmap {
namespace {

// Every Linux system's user database has root as uid 0 and group root as gid 0.
TEST_CASE("nss resolver: finds root and nothing for unknown names") {
    const NssResolver nss;
    CHECK(nss.uid_of("root") == 0u);
    CHECK(nss.gid_of("root") == 0u);
    CHECK(nss.uid_of("idshift-no-such-user-7f3a") == std::nullopt);
    CHECK(nss.gid_of("idshift-no-such-group-7f3a") == std::nullopt);
    CHECK(nss.uid_of("") == std::nullopt);
}

TEST_CASE("nss resolver: a name with a NUL inside is not truncated into another name") {
    const NssResolver nss;
    CHECK(nss.uid_of(std::string_view("root\0x", 6)) == std::nullopt);
    CHECK(nss.gid_of(std::string_view("root\0", 5)) == std::nullopt);
}

}  // namespace
}  // namespace idshift::idmap

#include <catch2/catch.hpp>

#include <cerrno>
#include <string>

#include "names.hpp"

using idshift::fusell::Name;

TEST_CASE("a single component is a valid name, NUL-terminated") {
    auto name = Name::parse("file.txt");
    REQUIRE(name.ok());
    CHECK(std::string(name->c_str()) == "file.txt");
    CHECK(name->view() == "file.txt");
    CHECK(Name::parse("..."));
    CHECK(Name::parse(".hidden"));
}

TEST_CASE("names that could leave the directory or name it are refused") {
    CHECK(Name::parse("").error() == ENOENT);
    CHECK(Name::parse(".").error() == EINVAL);
    CHECK(Name::parse("..").error() == EINVAL);
    CHECK(Name::parse("a/b").error() == EINVAL);
    CHECK(Name::parse("/etc").error() == EINVAL);
    CHECK(Name::parse("../x").error() == EINVAL);
    CHECK(Name::parse(std::string_view("a\0b", 3)).error() == EINVAL);
}

TEST_CASE("names longer than NAME_MAX are refused") {
    CHECK(Name::parse(std::string(255, 'x')).ok());
    CHECK(Name::parse(std::string(256, 'x')).error() == ENAMETOOLONG);
}

#include "idshift/idmap/name_db.hpp"

#include <catch2/catch.hpp>

#include "test_support.hpp"

namespace idshift::idmap {
namespace {

using test::data_path;

std::vector<std::string> strings(const ParseErrors& errors) {
    std::vector<std::string> lines;
    for (const ParseError& e : errors)
        lines.push_back(e.to_string());
    return lines;
}

TEST_CASE("name db: passwd and group lines give name and id, in file order") {
    ParseErrors errors;
    const NameDb db = NameDb::parse(
        "root:x:0:0:root:/root:/bin/sh\n"
        "staff:x:50:alice,bob\n"
        "nobody:x:65534:65534::/:/sbin/nologin\r\n"
        "top:x:4294967294:1::/:\n"
        "last:x:7",  // no trailing newline, and only three fields
        "p", errors);
    CHECK(errors.empty());
    REQUIRE(db.entries().size() == 5);
    CHECK(db.entries()[0].name == "root");
    CHECK(db.entries()[0].id == 0u);
    CHECK(db.entries()[0].line == 1);
    CHECK(db.entries()[1].name == "staff");
    CHECK(db.entries()[1].id == 50u);
    CHECK(db.entries()[2].name == "nobody");  // "\r\n" line ends are tolerated
    CHECK(db.entries()[4].line == 5);
    CHECK(db.id_of("nobody") == 65534u);
    CHECK(db.id_of("top") == 4294967294u);
    CHECK(db.id_of("last") == 7u);
    CHECK(db.id_of("nope") == std::nullopt);
    CHECK(db.id_of("roo") == std::nullopt);
    CHECK(db.file() == "p");
}

TEST_CASE("name db: the same id under two names is fine") {
    ParseErrors errors;
    const NameDb db = NameDb::parse("root:x:0:0::/:\ntoor:x:0:0::/:\n", "p", errors);
    CHECK(errors.empty());
    CHECK(db.id_of("root") == 0u);
    CHECK(db.id_of("toor") == 0u);
}

TEST_CASE("name db: every malformed line is reported with its line, the rest still parse") {
    ParseErrors errors;
    const auto db = NameDb::load(data_path("bad/passwd"), "web.map", 3, FileTrust::checked, errors);
    REQUIRE(db.has_value());
    const std::string f = data_path("bad/passwd");
    CHECK(strings(errors) ==
          std::vector<std::string>{
              f + ":6: expected NAME:PASSWORD:ID:..., but the line has 2 fields",
              f + ":7: the name (first field) is empty",
              f + ":8: 'bad': id 'abc' is not a decimal number",
              f + ":9: 'minus': id 4294967295 (-1) is not a valid id",
              f + ":10: 'big': id '4294967296' is too large (the largest id is 4294967294)",
              f + ":11: 'root' is defined twice (first at line 1)",
          });
    // Comments, blank lines and NIS '+'/'-' lines are skipped; the first root stays.
    REQUIRE(db->entries().size() == 1);
    CHECK(db->id_of("root") == 0u);
    CHECK(db->id_of("+nisuser") == std::nullopt);
}

TEST_CASE("name db: a line with one field") {
    ParseErrors errors;
    NameDb::parse("justaname\n", "g", errors);
    CHECK(strings(errors) ==
          std::vector<std::string>{"g:1: expected NAME:PASSWORD:ID:..., but the line has 1 field"});
}

TEST_CASE("name db: an unreadable file is one error at the line that named it") {
    ParseErrors errors;
    const std::string missing = data_path("no-such-dir/passwd");
    CHECK(NameDb::load(missing, "web.map", 4, FileTrust::checked, errors) == std::nullopt);
    CHECK(strings(errors) == std::vector<std::string>{"web.map:4: " + missing +
                                                      ": cannot read: No such file or directory"});

    errors.clear();
    CHECK(NameDb::load(data_path("image"), "web.map", 5, FileTrust::checked, errors) ==
          std::nullopt);
    CHECK(strings(errors) == std::vector<std::string>{"web.map:5: " + data_path("image") +
                                                      ": cannot read: Is a directory"});

    errors.clear();
    CHECK(NameDb::load("/dev/null", "web.map", 6, FileTrust::checked, errors) == std::nullopt);
    CHECK(strings(errors) ==
          std::vector<std::string>{"web.map:6: /dev/null: cannot read: not a regular file"});
}

TEST_CASE("name db: loads a real file") {
    ParseErrors errors;
    const auto db =
        NameDb::load(data_path("image/passwd"), "web.map", 1, FileTrust::checked, errors);
    CHECK(errors.empty());
    REQUIRE(db.has_value());
    CHECK(db->file() == data_path("image/passwd"));
    CHECK(db->entries().size() == 6);
    CHECK(db->id_of("app") == 1000u);
    CHECK(db->id_of("postgres") == 999u);
}

}  // namespace
}  // namespace idshift::idmap

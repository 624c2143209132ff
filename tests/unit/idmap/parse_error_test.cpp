#include "idshift/idmap/parse_error.hpp"

#include <catch2/catch.hpp>

namespace idshift::idmap {
namespace {

TEST_CASE("parse error: file:line: message, or file: message without a line") {
    CHECK(ParseError{"web.map", 7, "unknown keyword 'x'"}.to_string() ==
          "web.map:7: unknown keyword 'x'");
    CHECK(ParseError{"web.map", 0, "cannot read: Permission denied"}.to_string() ==
          "web.map: cannot read: Permission denied");
}

}  // namespace
}  // namespace idshift::idmap

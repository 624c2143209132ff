// A Catch2 binary with the defect the inventory guard exists for: a case name holding ';'. It is
// never registered as a test; guards.catch_inventory_selftest registers it the way CTest would and
// checks that the guard fails on it, and that --warn NoTests turns a fragment's silent pass into a
// failure.
#include <catch2/catch.hpp>

TEST_CASE("one half; the other half") {
    CHECK(1 == 2);
}

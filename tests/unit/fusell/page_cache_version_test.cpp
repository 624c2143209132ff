// PageCacheVersion: when cache=auto lets a file's page cache survive an open.
#include <catch2/catch.hpp>

#include "page_cache_version.hpp"

using idshift::fusell::PageCacheVersion;

namespace {

struct stat with_ctime(time_t sec, long nsec) {
    struct stat st {};
    st.st_ctim = {sec, nsec};
    return st;
}

constexpr time_t kNow = 1'800'000'000;

}  // namespace

TEST_CASE("page cache version: kept only on the second open of the same settled ctime") {
    PageCacheVersion version;
    const struct stat st = with_ctime(kNow - 60, 5);
    CHECK_FALSE(version.reopened(st, {kNow, 0}));  // nothing recorded yet
    CHECK(version.reopened(st, {kNow + 1, 0}));
    CHECK(version.reopened(st, {kNow + 2, 0}));
}

TEST_CASE("page cache version: a ctime one nanosecond apart is a change") {
    PageCacheVersion version;
    CHECK_FALSE(version.reopened(with_ctime(kNow - 60, 5), {kNow, 0}));
    CHECK_FALSE(version.reopened(with_ctime(kNow - 60, 6), {kNow, 0}));
    CHECK(version.reopened(with_ctime(kNow - 60, 6), {kNow, 0}));
}

TEST_CASE("page cache version: a ctime under two seconds old is never trusted") {
    PageCacheVersion version;
    const struct stat recent = with_ctime(kNow - 2, 1);  // 1.999999999 s old at kNow
    CHECK_FALSE(version.reopened(recent, {kNow, 0}));
    CHECK_FALSE(version.reopened(recent, {kNow, 0}));  // still too recent: never recorded
    // Once it has settled it is recorded, and kept from the open after.
    CHECK_FALSE(version.reopened(recent, {kNow, 1}));
    CHECK(version.reopened(recent, {kNow, 2}));
}

TEST_CASE("page cache version: exactly two seconds old is settled") {
    PageCacheVersion version;
    const struct stat st = with_ctime(kNow - 2, 0);
    CHECK_FALSE(version.reopened(st, {kNow, 0}));
    CHECK(version.reopened(st, {kNow, 0}));
}

TEST_CASE("page cache version: a ctime of the epoch is a version like any other") {
    PageCacheVersion version;
    CHECK_FALSE(version.reopened(with_ctime(0, 0), {kNow, 0}));
    CHECK(version.reopened(with_ctime(0, 0), {kNow, 0}));
}

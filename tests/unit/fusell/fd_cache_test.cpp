#include <catch2/catch.hpp>

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include "fd_cache.hpp"

using namespace idshift::fusell;
using idshift::sys::UniqueFd;

namespace {

std::size_t open_fd_count() {
    std::size_t count = 0;
    DIR* dir = ::opendir("/proc/self/fd");
    while (::readdir(dir) != nullptr)
        ++count;
    ::closedir(dir);
    return count;
}

UniqueFd any_fd() {
    return UniqueFd(::open("/", O_PATH | O_CLOEXEC));
}

}  // namespace

TEST_CASE("the cache never holds more fds than its capacity") {
    const std::size_t before = open_fd_count();
    {
        FdCache cache(32);
        CHECK(cache.capacity() <= 32);
        for (fuse_ino_t id = 64; id < 64 + 64 * 1000; id += 64) {
            cache.insert(id, any_fd());
            CHECK(cache.size() <= 32);
        }
        CHECK(open_fd_count() <= before + 32);
    }
    CHECK(open_fd_count() == before);
}

TEST_CASE("a small cache is exact: capacity 3 holds 3") {
    FdCache cache(3);
    CHECK(cache.capacity() == 3);
    for (fuse_ino_t id = 1; id <= 10; ++id)
        cache.insert(id << 6, any_fd());
    CHECK(cache.size() == 3);
}

TEST_CASE("find returns the cached fd, and erase closes it once nobody holds it") {
    FdCache cache(16);
    auto fd = any_fd();
    const int raw = fd.get();
    auto cached = cache.insert(64, std::move(fd));
    CHECK(cached->get() == raw);
    CHECK(cache.find(64)->get() == raw);
    CHECK(cache.find(128) == nullptr);
    cache.erase(64);
    CHECK(cache.find(64) == nullptr);
    CHECK(::fcntl(raw, F_GETFD) != -1);  // still held by `cached`
    cached.reset();
    CHECK(::fcntl(raw, F_GETFD) == -1);
}

TEST_CASE("an evicted fd in use is closed only when its user lets go") {
    FdCache cache(1);
    auto in_use = cache.insert(64, any_fd());
    const int raw = in_use->get();
    cache.insert(128, any_fd());  // evicts 64
    CHECK(cache.find(64) == nullptr);
    CHECK(::fcntl(raw, F_GETFD) != -1);
    in_use.reset();
    CHECK(::fcntl(raw, F_GETFD) == -1);
}

TEST_CASE("a racing insert keeps the first fd and closes the second") {
    FdCache cache(8);
    auto first = any_fd();
    const int first_raw = first.get();
    auto second = any_fd();
    const int second_raw = second.get();
    cache.insert(64, std::move(first));
    auto kept = cache.insert(64, std::move(second));
    CHECK(kept->get() == first_raw);
    CHECK(::fcntl(second_raw, F_GETFD) == -1);
}

TEST_CASE("least recently used goes first") {
    FdCache cache(32);  // 16 shards of 2
    REQUIRE(cache.capacity() == 32);
    // Ids 1, 17 and 33 (times 64, as node ids are) share a shard.
    const fuse_ino_t a = 1 << 6, b = 17 << 6, c = 33 << 6;
    cache.insert(a, any_fd());
    cache.insert(b, any_fd());
    CHECK(cache.find(a) != nullptr);  // a is now the most recent
    cache.insert(c, any_fd());        // evicts b
    CHECK(cache.find(b) == nullptr);
    CHECK(cache.find(a) != nullptr);
    CHECK(cache.find(c) != nullptr);
}

// With cache=auto a file's page cache survives a new open when the file is unchanged since its
// previous open through the mount (its ctime is the same, and old enough to trust), and a change
// made anywhere else is read on the next open. Files are served through the daemon
// (passthrough=off, as on network storage), so every page the kernel does not have is a READ the
// daemon counts.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "support/files.hpp"
#include "support/mount_fixture.hpp"
#include "support/op_counts.hpp"
#include "support/temp_dir.hpp"

using namespace idshift::itest;

namespace {

constexpr std::size_t kBytes = 256 * 1024;

std::string pattern(char first) {
    std::string bytes(kBytes, '\0');
    for (std::size_t i = 0; i < bytes.size(); ++i)
        bytes[i] = static_cast<char>(first + i % 23);
    return bytes;
}

// A ctime less than two seconds old is not trusted (page_cache_version.hpp): a file the test
// just wrote is re-read on every open until then. Waits that out, so that the first open through
// the mount records a version it may trust.
void let_ctime_settle() {
    std::this_thread::sleep_for(std::chrono::milliseconds(2100));
}

// The READ requests the daemon saw while `read_file(path)` ran, and what it read.
std::pair<long long, std::string> reads_of(const Mount& mount, const std::string& path) {
    const long long before = requests(mount, "read");
    std::string content = read_file(path);
    return {requests(mount, "read") - before, std::move(content)};
}

// Whether a reopen of the unchanged `path` is served from the page cache (no READ), trying up to
// three reopens, each of which must read `expected`. The kernel may drop an inode's pages on its
// own (reclaim, evicting the inode); what the code under test must never do is read an unchanged
// file again on every open, which is what cache=auto did before.
bool reopen_served_from_cache(const Mount& mount, const std::string& path,
                              const std::string& expected) {
    for (int attempt = 0; attempt < 3; ++attempt) {
        const auto [reads, content] = reads_of(mount, path);
        REQUIRE(content == expected);
        if (reads == 0) return true;
    }
    return false;
}

MountOptions through_daemon(const char* cache) {
    return {.options = {cache, "passthrough=off"}};
}

}  // namespace

TEST_CASE("cache=auto: an unchanged file is read from the page cache on its next open") {
    TempDir backing("idshift-pagecache-");
    write_file(backing.at("f"), pattern('a'));
    let_ctime_settle();
    Mount mount(backing.path(), through_daemon("cache=auto"));

    const auto [first_reads, first] = reads_of(mount, mount.at("f"));
    CHECK(first == pattern('a'));
    CHECK(first_reads > 0);
    CHECK(reopen_served_from_cache(mount, mount.at("f"), pattern('a')));
}

TEST_CASE("cache=auto: a change made on the storage, same size, is read on the next open") {
    TempDir backing("idshift-pagecache-");
    write_file(backing.at("f"), pattern('a'));
    let_ctime_settle();
    Mount mount(backing.path(), through_daemon("cache=auto"));
    CHECK(read_file(mount.at("f")) == pattern('a'));
    CHECK(reopen_served_from_cache(mount, mount.at("f"), pattern('a')));  // cached from here on

    write_file(backing.at("f"), pattern('A'));
    const auto [reads, content] = reads_of(mount, mount.at("f"));
    CHECK(content == pattern('A'));
    CHECK(reads > 0);
}

TEST_CASE(
    "cache=auto: a change made through another mount of the volume is read on the next "
    "open") {
    TempDir backing("idshift-pagecache-");
    write_file(backing.at("f"), pattern('a'));
    let_ctime_settle();
    Mount reader(backing.path(), through_daemon("cache=auto"));
    Mount writer(backing.path(), through_daemon("cache=auto"));
    CHECK(read_file(reader.at("f")) == pattern('a'));
    CHECK(reopen_served_from_cache(reader, reader.at("f"), pattern('a')));

    write_file(writer.at("f"), pattern('Z'));
    CHECK(read_file(backing.at("f")) == pattern('Z'));
    const auto [reads, content] = reads_of(reader, reader.at("f"));
    CHECK(content == pattern('Z'));
    CHECK(reads > 0);
}

TEST_CASE("cache=none: every open reads the file again") {
    TempDir backing("idshift-pagecache-");
    write_file(backing.at("f"), pattern('a'));
    let_ctime_settle();
    Mount mount(backing.path(), through_daemon("cache=none"));
    CHECK(read_file(mount.at("f")) == pattern('a'));
    const auto [reads, content] = reads_of(mount, mount.at("f"));
    CHECK(content == pattern('a'));
    CHECK(reads > 0);
}

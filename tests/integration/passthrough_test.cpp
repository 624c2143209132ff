// FUSE passthrough (-o passthrough=on, the default): regular files' reads, writes and mappings go
// from the kernel straight to the backing file, proven by the daemon's request counters staying
// at zero, while -o passthrough=off makes the daemon carry them; the bytes on the backing file are
// exact either way. Set-id files stay on the daemon's path, where a write clears their bits.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <sstream>
#include <string>

#include "support/child.hpp"
#include "support/files.hpp"
#include "support/mount_fixture.hpp"
#include "support/op_counts.hpp"
#include "support/unique_fd.hpp"

using namespace idshift::itest;

namespace {

constexpr std::size_t kBlock = 4096;

// `size` bytes in which every 4 KiB block differs from its neighbours.
std::string block_pattern(std::size_t size) {
    std::string bytes(size, '\0');
    for (std::size_t i = 0; i < size; ++i)
        bytes[i] = static_cast<char>((i * 131 + i / kBlock * 7) % 251);
    return bytes;
}

struct FreeDeleter {
    void operator()(void* p) const noexcept { std::free(p); }
};
std::unique_ptr<char, FreeDeleter> aligned_copy(const std::string& bytes) {
    std::unique_ptr<char, FreeDeleter> buffer(static_cast<char*>(
        std::aligned_alloc(kBlock, (bytes.size() + kBlock - 1) / kBlock * kBlock)));
    REQUIRE(buffer);
    std::memcpy(buffer.get(), bytes.data(), bytes.size());
    return buffer;
}

UniqueFd open_or_fail(const std::string& path, int flags) {
    UniqueFd fd(::open(path.c_str(), flags | O_CLOEXEC, 0644));
    INFO(path << ": " << std::strerror(errno));
    REQUIRE(fd);
    return fd;
}

struct Mode {
    const char* option;
    bool passthrough;
    const char* log_line;
};
const Mode kOn{"passthrough=on", true, "data path: passthrough (max_stack_depth=1)"};
const Mode kOff{"passthrough=off", false, "data path: through the daemon (disabled by option)"};

// Whether the daemon carried the data: its read and write counters against the mode.
void check_data_path(const Mount& mount, const Mode& mode) {
    INFO(mount.log());
    CHECK(mount.log().find(mode.log_line) != std::string::npos);
    if (mode.passthrough) {
        CHECK(requests(mount, "read") == 0);
        CHECK(requests(mount, "write_buf") == 0);
    } else {
        CHECK(requests(mount, "read") > 0);
        CHECK(requests(mount, "write_buf") > 0);
    }
}

}  // namespace

TEST_CASE("passthrough: bytes written and read through the mount are exact on the backing file") {
    const Mode mode = GENERATE(kOn, kOff);
    INFO(mode.option);
    Volume vol({.options = {mode.option}});
    const std::string bytes = block_pattern(1 << 20);
    {
        const UniqueFd fd = open_or_fail(vol.mnt("f"), O_CREAT | O_RDWR);
        REQUIRE(::pwrite(fd.get(), bytes.data(), bytes.size(), 3) ==
                static_cast<ssize_t>(bytes.size()));
        std::string back(bytes.size(), '\0');
        REQUIRE(::pread(fd.get(), back.data(), back.size(), 3) ==
                static_cast<ssize_t>(back.size()));
        CHECK(back == bytes);
    }
    CHECK(read_file(vol.src("f")) == std::string(3, '\0') + bytes);
    CHECK(lstat_path(vol.mnt("f")).st_size == static_cast<off_t>(bytes.size() + 3));
    check_data_path(vol.mount(), mode);
}

TEST_CASE("passthrough: a shared writable mapping reaches the backing file after msync") {
    const Mode mode = GENERATE(kOn, kOff);
    INFO(mode.option);
    Volume vol({.options = {mode.option}});
    write_file(vol.src("mapped"), std::string(2 * kBlock, 'm'));
    {
        const UniqueFd fd = open_or_fail(vol.mnt("mapped"), O_RDWR);
        void* map = ::mmap(nullptr, 2 * kBlock, PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(), 0);
        REQUIRE(map != MAP_FAILED);
        const std::string text = "through a shared mapping";
        std::memcpy(static_cast<char*>(map) + kBlock + 1, text.data(), text.size());
        CHECK(::msync(map, 2 * kBlock, MS_SYNC) == 0);
        CHECK(::munmap(map, 2 * kBlock) == 0);
        std::string expected(2 * kBlock, 'm');
        expected.replace(kBlock + 1, text.size(), text);
        CHECK(read_file(vol.src("mapped")) == expected);
    }
    if (mode.passthrough) CHECK(requests(vol.mount(), "read") == 0);
}

TEST_CASE("passthrough: O_DIRECT reads and writes are exact in both modes") {
    const Mode mode = GENERATE(kOn, kOff);
    INFO(mode.option);
    Volume vol({.options = {mode.option}});
    const std::string bytes = block_pattern(4 * kBlock);
    const auto buffer = aligned_copy(bytes);
    {
        const UniqueFd fd = open_or_fail(vol.mnt("direct"), O_CREAT | O_RDWR | O_DIRECT);
        REQUIRE(::pwrite(fd.get(), buffer.get(), bytes.size(), kBlock) ==
                static_cast<ssize_t>(bytes.size()));
        std::memset(buffer.get(), 0, bytes.size());
        REQUIRE(::pread(fd.get(), buffer.get(), bytes.size(), kBlock) ==
                static_cast<ssize_t>(bytes.size()));
        CHECK(std::string(buffer.get(), bytes.size()) == bytes);
        // Unaligned O_DIRECT fails as it does on the backing file.
        errno = 0;
        CHECK(::pwrite(fd.get(), buffer.get(), 100, 0) == -1);
        CHECK(errno == EINVAL);
    }
    CHECK(read_file(vol.src("direct")) == std::string(kBlock, '\0') + bytes);
    check_data_path(vol.mount(), mode);
}

TEST_CASE("passthrough: a set-id file stays on the daemon's path and a write clears its bits") {
    Volume vol;
    make_file(vol.src("suid"), kRootOwner, 04777, "12345678");
    REQUIRE(as_user(kApp, [&] {
                const int fd = ::open(vol.mnt("suid").c_str(), O_WRONLY | O_CLOEXEC);
                if (fd < 0) return errno;
                const int rc = ::pwrite(fd, "X", 1, 2) == 1 ? 0 : errno;
                ::close(fd);
                return rc;
            }) == 0);
    CHECK(read_file(vol.src("suid")) == "12X45678");
    CHECK(permissions_of(vol.src("suid")) == 0777);
    CHECK(requests(vol.mount(), "write_buf") == 1);
}

TEST_CASE("passthrough: a bad value of a kernel-protocol option is refused before mounting") {
    TempDir backing("idshift-passthrough-");
    const RefusedStart start =
        run_daemon_expecting_refusal(backing.path(), {.options = {"passthrough=maybe"}});
    INFO(start.log);
    CHECK_FALSE(start.mounted);
    CHECK(start.exit.exit_code() == 1);
    CHECK(start.log.find("option passthrough: invalid value 'maybe' (expected on or off)") !=
          std::string::npos);
}

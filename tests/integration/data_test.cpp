// The data path: bytes, sparse files, fallocate, copy_file_range, SEEK_DATA/SEEK_HOLE, statfs,
// O_DIRECT and shared mappings, each checked against the backing file system.
#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "support/child.hpp"
#include "support/files.hpp"
#include "support/mount_fixture.hpp"
#include "support/unique_fd.hpp"

using namespace idshift::itest;

namespace {

constexpr off_t kKiB = 1024;
constexpr off_t kMiB = 1024 * kKiB;

UniqueFd open_or_fail(const std::string& path, int flags, mode_t mode = 0644) {
    UniqueFd fd(::open(path.c_str(), flags | O_CLOEXEC, mode));
    INFO(path);
    REQUIRE(fd);
    return fd;
}

// Bytes that differ at every position, so a shifted or stale copy cannot match by accident.
std::string pattern(std::size_t size) {
    std::string bytes(size, '\0');
    std::uint32_t state = 2463534242u;
    for (char& byte : bytes) {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        byte = static_cast<char>(state & 0xff);
    }
    return bytes;
}

void write_at(int fd, std::string_view bytes, off_t offset) {
    REQUIRE(::pwrite(fd, bytes.data(), bytes.size(), offset) == static_cast<ssize_t>(bytes.size()));
}

off_t seek(int fd, off_t offset, int whence) {
    const off_t result = ::lseek(fd, offset, whence);
    return result < 0 ? -errno : result;
}

struct FreeDeleter {
    void operator()(void* p) const noexcept { std::free(p); }
};

std::unique_ptr<char, FreeDeleter> aligned_buffer(std::size_t size) {
    void* memory = nullptr;
    REQUIRE(::posix_memalign(&memory, 4096, size) == 0);
    std::memset(memory, 'd', size);
    return std::unique_ptr<char, FreeDeleter>(static_cast<char*>(memory));
}

}  // namespace

TEST_CASE("data: bytes written through the mount are the backing file's bytes") {
    Volume vol;
    const std::string bytes = pattern(3 * kMiB + 17);
    {
        const UniqueFd fd = open_or_fail(vol.mnt("f"), O_CREAT | O_WRONLY);
        write_at(fd.get(), bytes, 0);
    }
    CHECK(read_file(vol.src("f")) == bytes);
    CHECK(read_file(vol.mnt("f")) == bytes);
    {
        const UniqueFd append = open_or_fail(vol.mnt("f"), O_WRONLY | O_APPEND);
        REQUIRE(::write(append.get(), "tail", 4) == 4);
    }
    CHECK(lstat_path(vol.src("f")).st_size == static_cast<off_t>(bytes.size() + 4));
    CHECK(read_file(vol.src("f")).substr(bytes.size()) == "tail");
}

TEST_CASE("data: fallocate reserves blocks and a punched hole reads as zeros") {
    Volume vol({.options = {"cache=none"}});
    const UniqueFd fd = open_or_fail(vol.mnt("f"), O_CREAT | O_RDWR);
    REQUIRE(errno_of(::fallocate(fd.get(), 0, 0, kMiB)) == 0);
    CHECK(lstat_path(vol.src("f")).st_size == kMiB);
    CHECK(lstat_path(vol.src("f")).st_blocks >= kMiB / 512);

    write_at(fd.get(), std::string(kMiB, '\xab'), 0);
    REQUIRE(::fsync(fd.get()) == 0);
    const blkcnt_t blocks_before = lstat_path(vol.src("f")).st_blocks;
    REQUIRE(errno_of(::fallocate(fd.get(), FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 256 * kKiB,
                                 256 * kKiB)) == 0);
    const struct stat backing = lstat_path(vol.src("f"));
    CHECK(backing.st_size == kMiB);
    CHECK(backing.st_blocks == blocks_before - 256 * kKiB / 512);
    CHECK(lstat_path(vol.mnt("f")).st_blocks == backing.st_blocks);

    const std::string expected = std::string(256 * kKiB, '\xab') + std::string(256 * kKiB, '\0') +
                                 std::string(512 * kKiB, '\xab');
    CHECK(read_file(vol.mnt("f")) == expected);
    CHECK(read_file(vol.src("f")) == expected);
    CHECK(errno_of(::fallocate(fd.get(), FALLOC_FL_PUNCH_HOLE, 0, 4096)) == EOPNOTSUPP);
}

TEST_CASE("data: SEEK_DATA and SEEK_HOLE find the holes of a sparse file like the backing fs") {
    Volume vol({.options = {"cache=none"}});
    {
        const UniqueFd fd = open_or_fail(vol.src("sparse"), O_CREAT | O_WRONLY);
        write_at(fd.get(), std::string(4096, 'x'), 0);
        write_at(fd.get(), std::string(4096, 'y'), kMiB);
        REQUIRE(::fsync(fd.get()) == 0);
    }
    const UniqueFd mounted = open_or_fail(vol.mnt("sparse"), O_RDONLY);
    const UniqueFd backing = open_or_fail(vol.src("sparse"), O_RDONLY);
    struct Probe {
        off_t offset;
        int whence;
        off_t expected;
    };
    const Probe probes[] = {
        {0, SEEK_DATA, 0},
        {0, SEEK_HOLE, 4096},
        {4096, SEEK_DATA, kMiB},
        {kMiB + 10, SEEK_HOLE, kMiB + 4096},
        {kMiB + 4096, SEEK_DATA, -ENXIO},
        {kMiB + 8192, SEEK_HOLE, -ENXIO},
    };
    for (const Probe& probe : probes) {
        INFO("offset " << probe.offset
                       << (probe.whence == SEEK_DATA ? " SEEK_DATA" : " SEEK_HOLE"));
        CHECK(seek(backing.get(), probe.offset, probe.whence) == probe.expected);
        CHECK(seek(mounted.get(), probe.offset, probe.whence) == probe.expected);
    }
}

TEST_CASE("data: copy_file_range copies the exact byte range") {
    Volume vol({.options = {"cache=none"}});
    const std::string bytes = pattern(200 * kKiB);
    write_file(vol.src("from"), bytes);
    const UniqueFd in = open_or_fail(vol.mnt("from"), O_RDONLY);
    const UniqueFd out = open_or_fail(vol.mnt("to"), O_CREAT | O_WRONLY);
    loff_t in_offset = 1000;
    loff_t out_offset = 10;
    const ssize_t copied =
        ::copy_file_range(in.get(), &in_offset, out.get(), &out_offset, 100 * kKiB, 0);
    REQUIRE(copied == 100 * kKiB);
    CHECK(in_offset == 1000 + 100 * kKiB);
    CHECK(out_offset == 10 + 100 * kKiB);
    const std::string expected = std::string(10, '\0') + bytes.substr(1000, 100 * kKiB);
    CHECK(read_file(vol.src("to")) == expected);
    CHECK(read_file(vol.mnt("to")) == expected);
}

TEST_CASE("data: statfs reports the backing file system's geometry") {
    Volume vol;
    struct statvfs mounted {};
    struct statvfs backing {};
    REQUIRE(::statvfs(vol.mnt().c_str(), &mounted) == 0);
    REQUIRE(::statvfs(vol.src().c_str(), &backing) == 0);
    CHECK(mounted.f_bsize == backing.f_bsize);
    CHECK(mounted.f_frsize == backing.f_frsize);
    CHECK(mounted.f_blocks == backing.f_blocks);
    CHECK(mounted.f_files == backing.f_files);
    CHECK(mounted.f_namemax == backing.f_namemax);
}

TEST_CASE("data: O_DIRECT is honoured: aligned I/O works and unaligned I/O fails as natively") {
    Volume vol({.options = {"cache=none"}});
    const auto buffer = aligned_buffer(8192);
    make_file(vol.src("native"), kRootOwner, 0644);
    const UniqueFd native = open_or_fail(vol.src("native"), O_RDWR | O_DIRECT);
    const UniqueFd direct = open_or_fail(vol.mnt("f"), O_CREAT | O_RDWR | O_DIRECT);

    CHECK(::pwrite(direct.get(), buffer.get(), 4096, 0) == 4096);
    CHECK(read_file(vol.src("f")) == std::string(4096, 'd'));
    CHECK(::pread(direct.get(), buffer.get(), 4096, 0) == 4096);

    const int native_length = errno_of(::pwrite(native.get(), buffer.get(), 100, 0));
    const int native_offset = errno_of(::pwrite(native.get(), buffer.get(), 4096, 100));
    REQUIRE(native_length == EINVAL);
    REQUIRE(native_offset == EINVAL);
    CHECK(errno_of(::pwrite(direct.get(), buffer.get(), 100, 0)) == native_length);
    CHECK(errno_of(::pwrite(direct.get(), buffer.get(), 4096, 100)) == native_offset);
    CHECK(lstat_path(vol.src("f")).st_size == 4096);
}

TEST_CASE("data: a shared writable mapping reaches the backing file after msync") {
    Volume vol;
    const UniqueFd fd = open_or_fail(vol.mnt("mapped"), O_CREAT | O_RDWR);
    REQUIRE(::ftruncate(fd.get(), 8192) == 0);
    void* map = ::mmap(nullptr, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(), 0);
    REQUIRE(map != MAP_FAILED);
    const std::string text = "written through a shared mapping";
    std::memcpy(static_cast<char*>(map) + 4096, text.data(), text.size());
    REQUIRE(::msync(map, 8192, MS_SYNC) == 0);
    const std::string on_backing = read_file(vol.src("mapped"));
    ::munmap(map, 8192);
    REQUIRE(on_backing.size() == 8192);
    CHECK(on_backing.substr(4096, text.size()) == text);
    CHECK(on_backing.substr(0, 4096) == std::string(4096, '\0'));
}

TEST_CASE("data: a write by another user clears set-user-id as natively") {
    Volume vol({.options = {"cache=none"}});
    make_file(vol.src("via-mount"), kRootOwner, 06777);
    make_file(vol.src("native"), kRootOwner, 06777);
    const auto write_one = [](const std::string& path) {
        const UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
        return fd ? errno_of(::write(fd.get(), "x", 1)) : errno;
    };
    REQUIRE(as_user(kApp, [&] { return write_one(vol.mnt("via-mount")); }) == 0);
    REQUIRE(as_user({2000, 2000, {}}, [&] { return write_one(vol.src("native")); }) == 0);
    CHECK(permissions_of(vol.src("native")) == 0777);
    CHECK(permissions_of(vol.src("via-mount")) == permissions_of(vol.src("native")));
    CHECK(permissions_of(vol.mnt("via-mount")) == permissions_of(vol.src("native")));
}

#include "op.hpp"

#include <fcntl.h>
#include <linux/falloc.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "idshift/sys/unique_fd.hpp"

namespace idshift::robust {
namespace {

const char* kind_name(OpKind kind) {
    switch (kind) {
        case OpKind::create:
            return "create";
        case OpKind::write:
            return "write";
        case OpKind::truncate:
            return "truncate";
        case OpKind::fallocate:
            return "fallocate";
        case OpKind::punch_hole:
            return "punch_hole";
        case OpKind::rename:
            return "rename";
        case OpKind::link:
            return "link";
        case OpKind::unlink:
            return "unlink";
        case OpKind::chmod:
            return "chmod";
        case OpKind::chown:
            return "chown";
        case OpKind::setxattr:
            return "setxattr";
        case OpKind::removexattr:
            return "removexattr";
        case OpKind::mmap_write:
            return "mmap_write";
        case OpKind::fsync:
            return "fsync";
        case OpKind::mkdir:
            return "mkdir";
        case OpKind::rmdir:
            return "rmdir";
        case OpKind::symlink:
            return "symlink";
        case OpKind::readlink:
            return "readlink";
        case OpKind::mkfifo:
            return "mkfifo";
        case OpKind::utimens:
            return "utimens";
    }
    return "?";
}

// The bytes of a write: a splitmix64 stream, so a replay writes the same data.
std::string pattern(std::uint64_t seed, std::size_t length) {
    std::string bytes(length, '\0');
    std::uint64_t state = seed;
    for (std::size_t i = 0; i < length; i += 8) {
        state += 0x9e3779b97f4a7c15ULL;
        std::uint64_t z = state;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        z ^= z >> 31;
        std::memcpy(bytes.data() + i, &z, std::min<std::size_t>(8, length - i));
    }
    return bytes;
}

std::string parent_of(const std::string& path) {
    const std::size_t slash = path.rfind('/');
    return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

Outcome with_fd(const std::filesystem::path& path, int flags, auto&& body) {
    // O_NONBLOCK: opening a fifo without a peer fails (ENXIO) or succeeds at once instead of
    // blocking; it changes nothing for regular files.
    const sys::UniqueFd fd(::open(path.c_str(), flags | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0644));
    if (!fd) return failed(errno);
    return body(fd.get());
}

Outcome mmap_write(int fd, const Op& op) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) return failed(errno);
    if (st.st_size == 0) return Outcome{0, 0};  // nothing to map; same on both sides
    const auto size = static_cast<std::uint64_t>(st.st_size);
    const std::uint64_t offset = op.offset % size;
    const std::uint64_t length = std::min(op.length, size - offset);
    void* map = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED) return failed(errno);
    const std::string bytes = pattern(op.data_seed, length);
    std::memcpy(static_cast<char*>(map) + offset, bytes.data(), length);
    const int synced = op.flags != 0 ? ::msync(map, size, MS_SYNC) : 0;
    const int sync_errno = errno;
    ::munmap(map, size);
    return synced == 0 ? Outcome{static_cast<long>(length), 0} : failed(sync_errno);
}

std::string time_text(const timespec& time) {
    if (time.tv_nsec == UTIME_NOW) return "now";
    if (time.tv_nsec == UTIME_OMIT) return "omit";
    return std::to_string(time.tv_sec) + "." + std::to_string(time.tv_nsec);
}

bool explicit_time(const timespec& time) {
    return time.tv_nsec != UTIME_NOW && time.tv_nsec != UTIME_OMIT;
}

}  // namespace

std::string describe(const Op& op) {
    std::string text = std::string(kind_name(op.kind)) + " " + op.path;
    if (!op.target.empty()) text += " -> " + op.target;
    char details[160];
    std::snprintf(
        details, sizeof details, " off=%llu len=%llu mode=%04o uid=%u gid=%u flags=%u seed=%llu",
        static_cast<unsigned long long>(op.offset), static_cast<unsigned long long>(op.length),
        op.mode, op.uid, op.gid, op.flags, static_cast<unsigned long long>(op.data_seed));
    text += details;
    if (!op.name.empty()) text += " name=" + op.name;
    if (op.kind == OpKind::utimens)
        text += " atime=" + time_text(op.times.atime) + " mtime=" + time_text(op.times.mtime);
    return text;
}

std::vector<Touch> touched_paths(const Op& op) {
    const bool data = op.kind == OpKind::write || op.kind == OpKind::truncate ||
                      op.kind == OpKind::fallocate || op.kind == OpKind::punch_hole ||
                      op.kind == OpKind::mmap_write;
    const bool moves = op.kind == OpKind::rename || op.kind == OpKind::link;
    const bool xattrs = op.kind == OpKind::setxattr || op.kind == OpKind::removexattr;
    const bool names = moves || op.kind == OpKind::create || op.kind == OpKind::mkdir ||
                       op.kind == OpKind::rmdir || op.kind == OpKind::unlink ||
                       op.kind == OpKind::symlink || op.kind == OpKind::mkfifo;
    if (op.kind == OpKind::utimens) {
        // Nothing read: a read of the content or a listing could move the atime just set.
        return {Touch{op.path, CaptureOptions{false, false, false}, explicit_time(op.times.atime),
                      explicit_time(op.times.mtime)}};
    }
    if (op.kind == OpKind::symlink) {
        // The target is text, not a path of the tree.
        return {Touch{op.path, CaptureOptions{false, false, false}},
                Touch{parent_of(op.path), CaptureOptions{false, false, true}}};
    }
    const CaptureOptions entry{data || moves, xattrs || moves, moves};
    std::vector<Touch> touches{{op.path, entry}};
    if (!op.target.empty()) touches.push_back({op.target, entry});
    if (names) {
        const CaptureOptions listing{false, false, true};
        touches.push_back({parent_of(op.path), listing});
        if (!op.target.empty()) touches.push_back({parent_of(op.target), listing});
    }
    return touches;
}

Outcome apply(const Op& op, const std::filesystem::path& root) {
    const std::filesystem::path path = root / op.path;
    const std::filesystem::path target = root / op.target;
    switch (op.kind) {
        case OpKind::create:
            return from_fd(::open(
                path.c_str(), O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | op.flags,
                op.mode));
        case OpKind::write:
            return with_fd(path, O_WRONLY, [&](int fd) {
                const std::string bytes = pattern(op.data_seed, op.length);
                return from_rc(
                    ::pwrite(fd, bytes.data(), bytes.size(), static_cast<off_t>(op.offset)));
            });
        case OpKind::truncate:
            return from_rc(::truncate(path.c_str(), static_cast<off_t>(op.length)));
        case OpKind::fallocate:
        case OpKind::punch_hole:
            return with_fd(path, O_WRONLY, [&](int fd) {
                return from_rc(::fallocate(fd, static_cast<int>(op.mode),
                                           static_cast<off_t>(op.offset),
                                           static_cast<off_t>(op.length)));
            });
        case OpKind::rename:
            return from_rc(::renameat2(AT_FDCWD, path.c_str(), AT_FDCWD, target.c_str(), op.flags));
        case OpKind::link:
            return from_rc(::link(path.c_str(), target.c_str()));
        case OpKind::unlink:
            return from_rc(::unlink(path.c_str()));
        case OpKind::chmod:
            return from_rc(::chmod(path.c_str(), op.mode));
        case OpKind::chown:
            return from_rc(::lchown(path.c_str(), op.uid, op.gid));
        case OpKind::setxattr: {
            const std::string value = pattern(op.data_seed, op.length);
            return from_rc(::lsetxattr(path.c_str(), op.name.c_str(), value.data(), value.size(),
                                       static_cast<int>(op.flags)));
        }
        case OpKind::removexattr:
            return from_rc(::lremovexattr(path.c_str(), op.name.c_str()));
        case OpKind::mmap_write:
            return with_fd(path, O_RDWR, [&](int fd) { return mmap_write(fd, op); });
        case OpKind::fsync:
            return with_fd(path, O_RDONLY, [](int fd) { return from_rc(::fsync(fd)); });
        case OpKind::mkdir:
            return from_rc(::mkdir(path.c_str(), op.mode));
        case OpKind::rmdir:
            return from_rc(::rmdir(path.c_str()));
        case OpKind::symlink:
            return from_rc(::symlink(op.target.c_str(), path.c_str()));
        case OpKind::readlink: {
            char buffer[256];
            return from_rc(::readlink(path.c_str(), buffer, sizeof buffer));
        }
        case OpKind::mkfifo:
            return from_rc(::mknod(path.c_str(), S_IFIFO | op.mode, 0));
        case OpKind::utimens: {
            const timespec times[2] = {op.times.atime, op.times.mtime};
            return from_rc(::utimensat(AT_FDCWD, path.c_str(), times, 0));
        }
    }
    return failed(ENOSYS);
}

}  // namespace idshift::robust

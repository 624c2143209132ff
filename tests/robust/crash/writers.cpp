#include "writers.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "idshift/sys/unique_fd.hpp"

namespace idshift::robust {
namespace {

// Enough to outlast any kill delay; a writer that gets here just stops.
constexpr std::uint64_t kMaxUnits = 1000000;

bool write_all(int fd, const std::string& bytes, off_t offset) {
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t wrote = ::pwrite(fd, bytes.data() + done, bytes.size() - done,
                                       offset + static_cast<off_t>(done));
        if (wrote < 0) return false;
        done += static_cast<std::size_t>(wrote);
    }
    return true;
}

int failed(WriterSlot& slot, char call) {
    const int err = errno;
    slot.failed_after_kill = slot.kill_sent.load();
    slot.failed_call = call;
    return err;
}

int write_blocks(const WriterSpec& spec, WriterSlot& slot) {
    const sys::UniqueFd fd(::open(spec.where.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
    if (!fd) return failed(slot, 'o');
    for (std::uint64_t index = 0; index < kMaxUnits; ++index) {
        const std::string bytes = block_content(spec.seed, index, spec.block_size);
        if (!write_all(fd.get(), bytes, static_cast<off_t>(index * spec.block_size)))
            return failed(slot, 'w');
        if (::fsync(fd.get()) != 0) return failed(slot, 'f');
        slot.durable = index + 1;
    }
    return 0;
}

int create_files(const WriterSpec& spec, WriterSlot& slot) {
    const sys::UniqueFd dir(::open(spec.where.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir) return failed(slot, 'o');
    for (std::uint64_t index = 0; index < kMaxUnits; ++index) {
        const sys::UniqueFd fd(::openat(dir.get(), created_file_name(index).c_str(),
                                        O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0640));
        if (!fd) return failed(slot, 'o');
        if (!write_all(fd.get(), block_content(spec.seed, index, spec.block_size), 0))
            return failed(slot, 'w');
        if (::fsync(fd.get()) != 0) return failed(slot, 'f');
        if (::fsync(dir.get()) != 0) return failed(slot, 'd');
        slot.durable = index + 1;
    }
    return 0;
}

}  // namespace

std::string block_content(std::uint64_t seed, std::uint64_t index, std::size_t size) {
    std::string bytes(size, '\0');
    std::uint64_t state = seed * 0x9e3779b97f4a7c15ULL + index;
    for (std::size_t i = 0; i < size; i += 8) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        std::memcpy(bytes.data() + i, &state, std::min<std::size_t>(8, size - i));
    }
    return bytes;
}

std::string created_file_name(std::uint64_t index) {
    return "file" + std::to_string(index);
}

pid_t start_writer(const WriterSpec& spec, WriterSlot& slot) {
    const pid_t pid = ::fork();
    if (pid != 0) return pid;
    const Caller& caller = *spec.caller;
    int err = 0;
    if (!become(caller)) {
        err = errno;
    } else {
        err = spec.kind == WriterKind::blocks ? write_blocks(spec, slot) : create_files(spec, slot);
    }
    slot.final_errno = err;
    slot.stopped = true;
    ::_exit(0);
}

}  // namespace idshift::robust

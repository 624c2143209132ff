#pragma once
// The crash suite's writer processes. Each records, in shared memory, how much of its work had
// completed an fsync when it last looked; the suite kills the daemon while they run and later
// checks that exactly that much survived.
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <string>

#include "caller.hpp"

namespace idshift::robust {

struct WriterSlot {
    std::atomic<std::uint64_t> durable{0};  // blocks (or files) whose fsync returned
    std::atomic<int> final_errno{0};        // why the writer stopped
    std::atomic<char> failed_call{' '};     // which call: o(pen) w(rite) f(sync) d(ir fsync)
    std::atomic<bool> stopped{false};
    // Set by the suite just before it kills the daemon; the writer copies it when a call fails,
    // so a failure that came before the kill is told from one the kill caused.
    std::atomic<bool> kill_sent{false};
    std::atomic<bool> failed_after_kill{false};
};

enum class WriterKind {
    blocks,  // one file, fixed-size blocks appended in order, fsync after each
    files,   // new files of one block each, fsync of the file and of its directory
};

struct WriterSpec {
    WriterKind kind;
    std::filesystem::path where;  // the file (blocks) or directory (files) on the mount
    std::size_t block_size;
    std::uint64_t seed;  // content of block/file n derives from seed and n
    const Caller* caller;
};

// Forks a writer; returns its pid. It runs until an operation fails (the daemon is gone).
pid_t start_writer(const WriterSpec& spec, WriterSlot& slot);

// The bytes of block (or file) `index`.
std::string block_content(std::uint64_t seed, std::uint64_t index, std::size_t size);
// The name of file `index` of a files writer.
std::string created_file_name(std::uint64_t index);

}  // namespace idshift::robust

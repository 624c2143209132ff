#pragma once
// Builds /dev/fuse request and reply bytes for the kext unit tests.

#include <linux/fuse.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

namespace idshift::fusell::kext::test {

// A request: fuse_in_header (len filled in) followed by `body`.
template <typename Body>
std::vector<std::byte> make_request(std::uint32_t opcode, std::uint64_t unique, const Body& body) {
    fuse_in_header header{};
    header.len = static_cast<std::uint32_t>(sizeof(header) + sizeof(body));
    header.opcode = opcode;
    header.unique = unique;
    header.nodeid = 1;
    std::vector<std::byte> bytes(header.len);
    std::memcpy(bytes.data(), &header, sizeof(header));
    std::memcpy(bytes.data() + sizeof(header), &body, sizeof(body));
    return bytes;
}

inline fuse_init_in make_init_in(std::uint64_t offered) {
    fuse_init_in in{};
    in.major = 7;
    in.minor = 45;
    in.max_readahead = 131072;
    in.flags = static_cast<std::uint32_t>(offered);
    in.flags2 = static_cast<std::uint32_t>(offered >> 32);
    return in;
}

template <typename T>
T read_at(const void* base, std::size_t offset) {
    T value{};
    std::memcpy(&value, static_cast<const std::byte*>(base) + offset, sizeof(value));
    return value;
}

}  // namespace idshift::fusell::kext::test

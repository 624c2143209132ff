#pragma once
// Little-endian fields of xattr blobs, read and written byte by byte through memcpy: the blob has
// no alignment guarantee, so it is never reinterpret_cast into a struct.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace idshift::idmap {

// Preconditions: offset + 2 (or + 4) <= blob.size(); callers validate sizes first.
inline std::uint16_t load_le16(std::span<const std::byte> blob, std::size_t offset) noexcept {
    unsigned char b[2];
    std::memcpy(b, blob.data() + offset, sizeof b);
    return static_cast<std::uint16_t>(b[0] | (b[1] << 8));
}

inline std::uint32_t load_le32(std::span<const std::byte> blob, std::size_t offset) noexcept {
    unsigned char b[4];
    std::memcpy(b, blob.data() + offset, sizeof b);
    return static_cast<std::uint32_t>(b[0]) | (static_cast<std::uint32_t>(b[1]) << 8) |
           (static_cast<std::uint32_t>(b[2]) << 16) | (static_cast<std::uint32_t>(b[3]) << 24);
}

inline void store_le32(std::span<std::byte> blob, std::size_t offset,
                       std::uint32_t value) noexcept {
    const unsigned char b[4] = {
        static_cast<unsigned char>(value), static_cast<unsigned char>(value >> 8),
        static_cast<unsigned char>(value >> 16), static_cast<unsigned char>(value >> 24)};
    std::memcpy(blob.data() + offset, b, sizeof b);
}

}  // namespace idshift::idmap

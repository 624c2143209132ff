#include "idshift/kext/request_parse.hpp"

#include <linux/fuse.h>

#include <cstring>

#include "idshift/kext/wire.hpp"

namespace idshift::fusell::kext {
namespace {

// Reads a u32 at `offset` of the request body; nullopt if the body is shorter.
std::optional<std::uint32_t> body_u32(std::span<const std::byte> bytes,
                                      std::size_t offset) noexcept {
    const std::size_t at = sizeof(fuse_in_header) + offset;
    if (bytes.size() < at + sizeof(std::uint32_t)) return std::nullopt;
    std::uint32_t value = 0;
    std::memcpy(&value, bytes.data() + at, sizeof(value));
    return value;
}

bool has_flag(std::optional<std::uint32_t> field, std::uint32_t flag) noexcept {
    return field.has_value() && (*field & flag) != 0;
}

}  // namespace

std::optional<RequestNote> parse_request(std::span<const std::byte> bytes) noexcept {
    fuse_in_header header{};
    if (bytes.size() < sizeof(header)) return std::nullopt;
    std::memcpy(&header, bytes.data(), sizeof(header));
    if (header.len != bytes.size()) return std::nullopt;

    RequestNote note;
    note.opcode = header.opcode;
    note.unique = header.unique;
    note.nodeid = header.nodeid;
    switch (header.opcode) {
        case FUSE_WRITE:
            note.kill_suidgid =
                has_flag(body_u32(bytes, wire::kWriteInWriteFlagsOffset), wire::kWriteKillSuidgid);
            break;
        case FUSE_OPEN:
            note.kill_suidgid =
                has_flag(body_u32(bytes, wire::kOpenInOpenFlagsOffset), wire::kOpenKillSuidgid);
            break;
        case FUSE_CREATE:
            note.kill_suidgid =
                has_flag(body_u32(bytes, wire::kCreateInOpenFlagsOffset), wire::kOpenKillSuidgid);
            break;
        default:
            break;
    }
    return note;
}

bool tmpfile_as_create(std::span<std::byte> bytes) noexcept {
    fuse_in_header header{};
    if (bytes.size() < sizeof(header)) return false;
    std::memcpy(&header, bytes.data(), sizeof(header));
    constexpr char kSlash[] = "/";  // with its NUL
    constexpr std::size_t kNameAt = sizeof(fuse_in_header) + sizeof(fuse_create_in);
    if (header.opcode != FUSE_TMPFILE || header.len != bytes.size() ||
        bytes.size() != kNameAt + sizeof(kSlash) ||
        std::memcmp(bytes.data() + kNameAt, kSlash, sizeof(kSlash)) != 0) {
        return false;
    }
    header.opcode = FUSE_CREATE;
    std::memcpy(bytes.data(), &header, sizeof(header));
    return true;
}

std::optional<InitOffer> parse_init_offer(std::span<const std::byte> bytes) noexcept {
    const std::optional<RequestNote> note = parse_request(bytes);
    if (!note || note->opcode != FUSE_INIT) return std::nullopt;
    const std::optional<std::uint32_t> major = body_u32(bytes, offsetof(fuse_init_in, major));
    const std::optional<std::uint32_t> minor = body_u32(bytes, offsetof(fuse_init_in, minor));
    const std::optional<std::uint32_t> flags = body_u32(bytes, offsetof(fuse_init_in, flags));
    if (!major || !minor || !flags) return std::nullopt;

    InitOffer offer;
    offer.unique = note->unique;
    offer.major = *major;
    offer.minor = *minor;
    offer.flags = *flags;
    if ((offer.flags & wire::kInitExt) != 0) {
        const std::optional<std::uint32_t> flags2 = body_u32(bytes, wire::kInitInFlags2Offset);
        if (flags2) offer.flags |= std::uint64_t{*flags2} << 32;
    }
    return offer;
}

}  // namespace idshift::fusell::kext

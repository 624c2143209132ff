#include "support/acl_blob.hpp"

#include <stdexcept>

namespace idshift::itest {

namespace {

constexpr std::uint32_t kAclVersion = 2;
constexpr std::size_t kHeaderSize = 4;
constexpr std::size_t kEntrySize = 8;

void put_le(std::string& out, std::uint32_t value, int bytes) {
    for (int i = 0; i < bytes; ++i)
        out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

std::uint32_t get_le(const std::string& in, std::size_t at, int bytes) {
    std::uint32_t value = 0;
    for (int i = bytes - 1; i >= 0; --i)
        value = (value << 8) | static_cast<unsigned char>(in[at + static_cast<std::size_t>(i)]);
    return value;
}

}  // namespace

std::ostream& operator<<(std::ostream& out, const AclEntry& entry) {
    out << "{tag " << static_cast<unsigned>(entry.tag) << " perm " << entry.perm << " id ";
    if (entry.id == kNoAclId) return out << "-}";
    return out << entry.id << '}';
}

std::string encode_acl(const std::vector<AclEntry>& entries) {
    std::string blob;
    put_le(blob, kAclVersion, 4);
    for (const AclEntry& entry : entries) {
        put_le(blob, static_cast<std::uint16_t>(entry.tag), 2);
        put_le(blob, entry.perm, 2);
        put_le(blob, entry.id, 4);
    }
    return blob;
}

std::vector<AclEntry> decode_acl(const std::string& blob) {
    if (blob.size() < kHeaderSize || (blob.size() - kHeaderSize) % kEntrySize != 0)
        throw std::invalid_argument("ACL xattr of " + std::to_string(blob.size()) + " bytes");
    if (get_le(blob, 0, 4) != kAclVersion) throw std::invalid_argument("ACL xattr version");
    std::vector<AclEntry> entries;
    for (std::size_t at = kHeaderSize; at < blob.size(); at += kEntrySize) {
        entries.push_back({static_cast<AclTag>(get_le(blob, at, 2)),
                           static_cast<std::uint16_t>(get_le(blob, at + 2, 2)),
                           get_le(blob, at + 4, 4)});
    }
    return entries;
}

}  // namespace idshift::itest

#pragma once
// Building and reading raw POSIX ACL xattr values (linux/posix_acl_xattr.h): a little-endian u32
// version 2, then entries {u16 tag, u16 perm, u32 id}, sorted by tag and then id.
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace idshift::itest {

enum class AclTag : std::uint16_t {
    user_obj = 0x01,
    user = 0x02,
    group_obj = 0x04,
    group = 0x08,
    mask = 0x10,
    other = 0x20,
};

// The id of entries that carry none (ACL_UNDEFINED_ID).
inline constexpr std::uint32_t kNoAclId = 0xffffffff;

struct AclEntry {
    AclTag tag;
    std::uint16_t perm;  // 4 read, 2 write, 1 execute
    std::uint32_t id = kNoAclId;
    friend bool operator==(const AclEntry&, const AclEntry&) = default;
};
std::ostream& operator<<(std::ostream& out, const AclEntry& entry);

std::string encode_acl(const std::vector<AclEntry>& entries);
// Throws std::invalid_argument on a malformed value.
std::vector<AclEntry> decode_acl(const std::string& blob);

}  // namespace idshift::itest

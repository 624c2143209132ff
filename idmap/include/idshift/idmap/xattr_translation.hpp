#pragma once
// What translating an xattr that carries ids (an ACL, a file capability) into storage ids came to:
// the errno, and when an id was refused, which one, so that callers can report it without
// parsing the xattr format a second time.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <variant>

#include "idshift/idmap/ids.hpp"

namespace idshift::idmap {

// An id that the map cannot express for a write (unmapped-write deny). Mount side, as the caller
// wrote it; its type says its kind.
struct Refusal {
    std::variant<MountUid, MountGid> id;
    std::size_t entry = 0;  // the ACL entry's position (0 for a capability's rootid)

    Kind kind() const noexcept {
        return std::holds_alternative<MountUid>(id) ? Kind::uid : Kind::gid;
    }
    std::uint32_t raw_id() const noexcept {
        return std::visit([](auto typed) { return raw(typed); }, id);
    }
};

struct XattrTranslation {
    int error =
        0;  // 0, or the errno the operation answers (EINVAL for a refused or malformed value)
    std::optional<Refusal> refused;  // set only when `error` is a refused id, never when malformed
};

}  // namespace idshift::idmap

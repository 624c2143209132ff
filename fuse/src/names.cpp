#include "names.hpp"

#include <cerrno>
#include <cstring>

namespace idshift::fusell {

Result<Name> Name::parse(std::string_view name) noexcept {
    if (name.empty()) return Errno{ENOENT};
    if (name == "." || name == "..") return Errno{EINVAL};
    if (name.find('/') != std::string_view::npos) return Errno{EINVAL};
    if (name.find('\0') != std::string_view::npos) return Errno{EINVAL};
    if (name.size() > kMax) return Errno{ENAMETOOLONG};
    Name valid;
    std::memcpy(valid.buffer_.data(), name.data(), name.size());
    valid.buffer_[name.size()] = '\0';
    valid.size_ = name.size();
    return valid;
}

}  // namespace idshift::fusell

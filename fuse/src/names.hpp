#pragma once
// Names that come from the kernel must be one path component; anything else could walk out of
// the node's directory (".." or "a/b") or name the directory itself.
#include <array>
#include <string_view>

#include "idshift/fusell/result.hpp"

namespace idshift::fusell {

class Name {
  public:
    static constexpr std::size_t kMax = 255;  // NAME_MAX

    // ENOENT for "" (as a path lookup of an empty name), EINVAL for "." / ".." / a name with '/',
    // ENAMETOOLONG past kMax bytes.
    static Result<Name> parse(std::string_view name) noexcept;

    // NUL-terminated.
    const char* c_str() const noexcept { return buffer_.data(); }
    std::string_view view() const noexcept { return {buffer_.data(), size_}; }

  private:
    Name() = default;
    std::array<char, kMax + 1> buffer_{};
    std::size_t size_ = 0;
};

}  // namespace idshift::fusell

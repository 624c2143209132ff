#pragma once
// Reading the decimal numbers of map files, passwd/group files and /proc/PID/uid_map, with
// messages that name the offending token.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace idshift::idmap {

struct NumberOrError {
    std::optional<std::uint32_t> value;
    std::string error;  // set when value is empty; starts with `role`
};

// An id: decimal digits only, 0..kMaxId. "-1" and 4294967295 get the "not a valid id" message.
NumberOrError read_id(std::string_view token, std::string_view role);

// A range length: decimal digits only, 1..4294967295.
NumberOrError read_count(std::string_view token, std::string_view role);

}  // namespace idshift::idmap

#include "decimal.hpp"

#include <charconv>

#include "idshift/idmap/ids.hpp"

namespace idshift::idmap {
namespace {

enum class Digits { ok, not_decimal, too_large };

// Only plain digits: no sign, no spaces, no hex; from_chars alone would accept a leading '-'.
Digits parse_digits(std::string_view token, std::uint64_t& value) {
    if (token.empty()) return Digits::not_decimal;
    for (char c : token) {
        if (c < '0' || c > '9') return Digits::not_decimal;
    }
    auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), value);
    if (ec == std::errc::result_out_of_range || value > 0xFFFFFFFFu) return Digits::too_large;
    return end == token.data() + token.size() ? Digits::ok : Digits::not_decimal;
}

std::string quoted(std::string_view role, std::string_view token) {
    return std::string(role) + " '" + std::string(token) + "'";
}

}  // namespace

NumberOrError read_id(std::string_view token, std::string_view role) {
    std::uint64_t value = 0;
    const Digits digits = parse_digits(token, value);
    if (token == "-1" || (digits == Digits::ok && value == kInvalidId)) {
        return {std::nullopt, std::string(role) + " 4294967295 (-1) is not a valid id"};
    }
    if (digits == Digits::not_decimal) {
        return {std::nullopt, quoted(role, token) + " is not a decimal number"};
    }
    if (digits == Digits::too_large) {
        return {std::nullopt, quoted(role, token) + " is too large (the largest id is 4294967294)"};
    }
    return {static_cast<std::uint32_t>(value), {}};
}

NumberOrError read_count(std::string_view token, std::string_view role) {
    std::uint64_t value = 0;
    const Digits digits = parse_digits(token, value);
    if (digits == Digits::not_decimal) {
        return {std::nullopt, quoted(role, token) + " is not a decimal number"};
    }
    if (digits == Digits::too_large) {
        return {std::nullopt, quoted(role, token) + " is too large (at most 4294967295)"};
    }
    if (value == 0) return {std::nullopt, std::string(role) + " must be at least 1 (got 0)"};
    return {static_cast<std::uint32_t>(value), {}};
}

}  // namespace idshift::idmap

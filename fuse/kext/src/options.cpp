#include "idshift/kext/options.hpp"

#include <array>

namespace idshift::fusell::kext {
namespace {

constexpr std::array<std::string_view, 4> kOptionNames = {"passthrough", "max_stack_depth",
                                                          "killpriv_v2", "allow_idmap"};

std::optional<bool> parse_switch(std::string_view value) noexcept {
    if (value == "on") return true;
    if (value == "off") return false;
    return std::nullopt;
}

std::string bad_value(std::string_view key, std::string_view value, std::string_view accepted) {
    return "option " + std::string(key) + ": invalid value '" + std::string(value) +
           "' (expected " + std::string(accepted) + ")";
}

}  // namespace

bool is_option(std::string_view key) noexcept {
    for (const std::string_view name : kOptionNames) {
        if (name == key) return true;
    }
    return false;
}

std::optional<std::string> apply_option(Options& options, std::string_view key,
                                        std::string_view value) {
    if (key == "max_stack_depth") {
        if (value == "1" || value == "2") {
            options.max_stack_depth = value == "1" ? 1U : 2U;
            return std::nullopt;
        }
        return bad_value(key, value, "1 or 2");
    }
    bool* target = nullptr;
    if (key == "passthrough") target = &options.passthrough;
    if (key == "killpriv_v2") target = &options.killpriv_v2;
    if (key == "allow_idmap") target = &options.allow_idmap;
    if (target == nullptr) return "unknown option " + std::string(key);
    const std::optional<bool> on = parse_switch(value);
    if (!on) return bad_value(key, value, "on or off");
    *target = *on;
    return std::nullopt;
}

}  // namespace idshift::fusell::kext

#pragma once
// Command-line options shared by the suites: "--name value" or "--name=value", plus bare flags.
#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace idshift::robust {

class Args {
  public:
    // Exits with status 2 and a usage line on an option not listed in `valued` or `flags`.
    Args(int argc, char** argv, std::initializer_list<std::string_view> valued,
         std::initializer_list<std::string_view> flags = {});

    std::optional<std::string> get(std::string_view name) const;
    // Exits with status 2 when the value is not a decimal number.
    std::uint64_t number(std::string_view name, std::uint64_t fallback) const;
    bool flag(std::string_view name) const;

  private:
    std::map<std::string, std::string, std::less<>> values_;
};

}  // namespace idshift::robust

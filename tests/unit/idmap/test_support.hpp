#pragma once
// Shared by the idmap unit tests: a NameResolver that answers from tables instead of NSS, and
// paths into tests/data/idmap.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "idshift/idmap/map_file.hpp"
#include "idshift/idmap/name_resolver.hpp"

namespace idshift::idmap::test {

class FakeResolver final : public NameResolver {
  public:
    std::map<std::string, std::uint32_t, std::less<>> users;
    std::map<std::string, std::uint32_t, std::less<>> groups;

    std::optional<std::uint32_t> uid_of(std::string_view user) const override {
        return find(users, user);
    }
    std::optional<std::uint32_t> gid_of(std::string_view group) const override {
        return find(groups, group);
    }

  private:
    static std::optional<std::uint32_t> find(
        const std::map<std::string, std::uint32_t, std::less<>>& table, std::string_view name) {
        const auto it = table.find(name);
        if (it == table.end()) return std::nullopt;
        return it->second;
    }
};

// A file under tests/data/idmap.
inline std::string data_path(const std::string& relative) {
    return std::string(IDSHIFT_TEST_DATA_DIR) + "/idmap/" + relative;
}

// "FILE:LINE: message" for every error, in order.
inline std::vector<std::string> error_lines(const MapLoad& load) {
    std::vector<std::string> lines;
    for (const ParseError& error : load.errors)
        lines.push_back(error.to_string());
    return lines;
}

}  // namespace idshift::idmap::test

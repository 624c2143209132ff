#pragma once
// A deterministic storage-side resolver for the fuzzers: no NSS, so a run never depends on the
// machine's user database, and names from the input resolve often enough to reach name rules.
#include <functional>
#include <optional>
#include <string_view>

#include "idshift/idmap/name_resolver.hpp"

namespace idshift::idmap::fuzz {

class FuzzResolver final : public NameResolver {
  public:
    std::optional<std::uint32_t> uid_of(std::string_view user) const override {
        return id_of(user, 0);
    }
    std::optional<std::uint32_t> gid_of(std::string_view group) const override {
        return id_of(group, 1);
    }

  private:
    // Short names resolve (one in eight to -1, which callers must refuse); long ones do not.
    static std::optional<std::uint32_t> id_of(std::string_view name, std::size_t salt) {
        if (name.empty() || name.size() > 8) return std::nullopt;
        const std::size_t h = std::hash<std::string_view>{}(name) + salt;
        if (h % 8 == 0) return 0xFFFFFFFFu;
        return static_cast<std::uint32_t>(h % 70000);
    }
};

}  // namespace idshift::idmap::fuzz

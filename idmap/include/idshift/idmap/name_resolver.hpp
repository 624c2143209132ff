#pragma once
// Storage-side name lookups. The default resolves through NSS (getpwnam_r/getgrnam_r), so LDAP or
// SSSD directories work; tests and `storage-passwd`/`storage-group` use explicit files instead.
#include <cstdint>
#include <optional>
#include <string_view>

namespace idshift::idmap {

class NameResolver {
  public:
    virtual ~NameResolver() = default;
    virtual std::optional<std::uint32_t> uid_of(std::string_view user) const = 0;
    virtual std::optional<std::uint32_t> gid_of(std::string_view group) const = 0;
};

// getpwnam_r / getgrnam_r. Thread-safe.
class NssResolver final : public NameResolver {
  public:
    std::optional<std::uint32_t> uid_of(std::string_view user) const override;
    std::optional<std::uint32_t> gid_of(std::string_view group) const override;
};

}  // namespace idshift::idmap

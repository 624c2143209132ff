#include "idshift/idmap/name_resolver.hpp"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

namespace idshift::idmap {
namespace {

// NSS entries (LDAP groups especially) can be larger than the _SC_*_R_SIZE_MAX hint, so the buffer
// grows on ERANGE up to a bound that no real entry reaches.
constexpr std::size_t kMaxNssBuffer = 16 * 1024 * 1024;

std::size_t initial_buffer_size(int sysconf_name) {
    const long hint = ::sysconf(sysconf_name);
    return hint > 0 ? static_cast<std::size_t>(hint) : 16384;
}

// Calls a getXXnam_r-style function, growing the buffer on ERANGE; returns the id or nullopt.
template <typename Entry, typename Lookup, typename IdOf>
std::optional<std::uint32_t> nss_lookup(std::string_view name, int sysconf_name, Lookup lookup,
                                        IdOf id_of) {
    if (name.find('\0') != std::string_view::npos) return std::nullopt;  // no C string can hold it
    const std::string key(name);
    std::vector<char> buffer(initial_buffer_size(sysconf_name));
    for (;;) {
        Entry entry{};
        Entry* found = nullptr;
        const int rc = lookup(key.c_str(), &entry, buffer.data(), buffer.size(), &found);
        if (rc == ERANGE && buffer.size() < kMaxNssBuffer) {
            buffer.resize(buffer.size() * 2);
            continue;
        }
        if (rc != 0 || found == nullptr) return std::nullopt;
        return static_cast<std::uint32_t>(id_of(*found));
    }
}

}  // namespace

std::optional<std::uint32_t> NssResolver::uid_of(std::string_view user) const {
    return nss_lookup<passwd>(user, _SC_GETPW_R_SIZE_MAX, ::getpwnam_r,
                              [](const passwd& p) { return p.pw_uid; });
}

std::optional<std::uint32_t> NssResolver::gid_of(std::string_view group) const {
    return nss_lookup<struct group>(group, _SC_GETGR_R_SIZE_MAX, ::getgrnam_r,
                                    [](const struct group& g) { return g.gr_gid; });
}

}  // namespace idshift::idmap

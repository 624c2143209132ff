#include "effective_caller.hpp"

#include <grp.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <system_error>

namespace idshift::robust {
namespace {

void check(int rc, const char* what) {
    if (rc != 0) throw std::system_error(errno, std::generic_category(), what);
}

}  // namespace

EffectiveCaller::EffectiveCaller(const Caller* caller) : caller_(caller) {
    if (caller_ == nullptr) return;
    // Groups and gid first: once the effective uid is not 0 they cannot be changed.
    check(::setgroups(caller_->groups.size(), caller_->groups.data()), "setgroups");
    check(::setresgid(static_cast<gid_t>(-1), caller_->gid, static_cast<gid_t>(-1)), "setresgid");
    check(::setresuid(static_cast<uid_t>(-1), caller_->uid, static_cast<uid_t>(-1)), "setresuid");
}

EffectiveCaller::~EffectiveCaller() {
    if (caller_ == nullptr) return;
    const gid_t root_group = 0;
    // The saved uid is 0, so this is allowed; the effective capabilities come back with it.
    // Staying the caller by mistake would make every later check wrong: give up instead.
    if (::setresuid(static_cast<uid_t>(-1), 0, static_cast<uid_t>(-1)) != 0 ||
        ::setresgid(static_cast<gid_t>(-1), 0, static_cast<gid_t>(-1)) != 0 ||
        ::setgroups(1, &root_group) != 0) {
        std::abort();
    }
}

const Caller* caller_named(const std::string& name) {
    for (const Caller* caller : {&kRoot, &kAlice, &kBob}) {
        if (caller->name == name) return caller;
    }
    return nullptr;
}

}  // namespace idshift::robust

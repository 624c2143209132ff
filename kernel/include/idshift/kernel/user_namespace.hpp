#pragma once
// A user namespace that exists only to carry a uid_map/gid_map for an idmapped mount.
#include <variant>

#include "idshift/kernel/failure.hpp"
#include "idshift/kernel/map_compiler.hpp"
#include "idshift/sys/unique_fd.hpp"

namespace idshift::kernel {

// Makes the namespace and returns an fd of it (/proc/PID/ns/user). A child process unshares
// CLONE_NEWUSER and waits; this process, which must be privileged over the parent namespace,
// writes the maps (setgroups is left as it is: only the maps matter to a mount), opens the
// namespace and lets the child exit, which it does before this returns (it is reaped here). The
// namespace lives on for as long as the fd, or a mount made with it, holds it.
std::variant<sys::UniqueFd, Failure> make_user_namespace(const UsernsMaps& maps);

}  // namespace idshift::kernel

#pragma once
// Handing a mount made in the host's mount namespace to a container's: clone it as a detached
// tree, then attach that tree inside the container's namespace from a short-lived child.
#include <string>

#include "idshift/sys/unique_fd.hpp"

namespace idshift::oci {

// Makes `dir` (created if missing) a mount of its own with private propagation, so that staging
// mounts below it are not copied into other mount namespaces (nor their unmounts propagated).
// Returns 0 or an errno.
int make_private_dir(const std::string& dir);

// open_tree(OPEN_TREE_CLONE) of the mount at `path`: a detached copy that keeps the filesystem
// mounted after `path` itself is unmounted. Empty with errno set on failure.
sys::UniqueFd clone_mount(const std::string& path);

// Attaches `tree` at `target` inside the mount namespace of process `pid` (target as that
// namespace resolves it). The calling process stays where it is: a forked child joins the
// namespace, moves the mount and exits. Returns 0 or an errno.
int attach_in_namespace(const sys::UniqueFd& tree, int pid, const std::string& target);

}  // namespace idshift::oci

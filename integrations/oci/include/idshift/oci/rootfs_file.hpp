#pragma once
// Opening a file of a container image from the host, without trusting the image: a symlink such
// as etc/passwd -> /etc/shadow is resolved inside the image's root, never on the host.
#include <string>

#include "idshift/sys/unique_fd.hpp"

namespace idshift::oci {

struct RootfsFile {
    sys::UniqueFd fd;  // read-only, close-on-exec; empty when err != 0
    int err = 0;  // errno: ENOENT when the image has no such file, EINVAL if not a regular file
};

// Opens RELATIVE (e.g. "etc/passwd") below ROOTFS as if ROOTFS were "/" (RESOLVE_IN_ROOT, no
// magic links, no device nodes or fifos: only a regular file is accepted).
RootfsFile open_in_rootfs(const std::string& rootfs, const std::string& relative);

}  // namespace idshift::oci

#pragma once
// Who sent a request: the ids the kernel reports for it, its supplementary groups and the map
// snapshot it is served with.
#include <fuse_lowlevel.h>

#include "idshift/fusell/caller.hpp"
#include "idshift/fusell/filesystem.hpp"

namespace idshift::fusell {

Caller caller_of(fuse_req_t req, Filesystem& fs);

}  // namespace idshift::fusell

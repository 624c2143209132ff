#pragma once
// The core's Result is sys/'s: the names stay here so that the FUSE backend's code and its callers
// keep saying fusell::Result.
#include "idshift/sys/result.hpp"

namespace idshift::fusell {

using sys::Errno;
using sys::Result;

}  // namespace idshift::fusell

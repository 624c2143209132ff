#pragma once
// The tests own fds with the project's own owner, so that they exercise the one the daemon uses.
#include "idshift/sys/unique_fd.hpp"

namespace idshift::itest {

using UniqueFd = sys::UniqueFd;

}  // namespace idshift::itest

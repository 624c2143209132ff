#pragma once
// The statistics socket of one mount, set up as -o stats_socket asks.
#include <functional>
#include <memory>
#include <string>

#include "idshift/fusell/filesystem.hpp"
#include "stats_server.hpp"

namespace idshift::daemon {

// A server (not started yet) answering "table" and "prometheus" with `fs`'s counters, on
// `option` (a path), or on the mountpoint's default path when `option` is empty. nullptr when
// `option` is "none", or when the socket cannot be set up: that is logged, and the mount goes on
// without statistics. Call before mounting (resolving the mountpoint must not go through it).
// `passthrough_on` says, at each request, whether regular files' data bypasses the daemon.
std::unique_ptr<StatsServer> open_stats_server(const std::string& option,
                                               const std::string& mountpoint,
                                               fusell::Filesystem& fs,
                                               std::function<bool()> passthrough_on);

}  // namespace idshift::daemon

#pragma once
// Logging through spdlog: stderr in the foreground, syslog once daemonized. libfuse's own
// messages are routed into the same logger.
#include <spdlog/common.h>

namespace idshift::daemon {

// Logs to stderr at `level` and routes libfuse's messages through spdlog.
void init_logging(spdlog::level::level_enum level);
// Moves logging to syslog (facility daemon, ident "idshift"), keeping the level.
void log_to_syslog();

}  // namespace idshift::daemon

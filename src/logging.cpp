#include "logging.hpp"

#include <fuse_log.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/sinks/syslog_sink.h>
#include <spdlog/spdlog.h>
#include <syslog.h>

#include <cstdarg>
#include <cstdio>
#include <string_view>

namespace idshift::daemon {
namespace {

spdlog::level::level_enum level_of(enum fuse_log_level level) noexcept {
    switch (level) {
        case FUSE_LOG_EMERG:
        case FUSE_LOG_ALERT:
        case FUSE_LOG_CRIT:
            return spdlog::level::critical;
        case FUSE_LOG_ERR:
            return spdlog::level::err;
        case FUSE_LOG_WARNING:
            return spdlog::level::warn;
        case FUSE_LOG_NOTICE:
        case FUSE_LOG_INFO:
            return spdlog::level::info;
        case FUSE_LOG_DEBUG:
            return spdlog::level::debug;
    }
    return spdlog::level::info;
}

// libfuse's log callback: C varargs in, one spdlog line out (without the trailing newline).
void libfuse_log(enum fuse_log_level level, const char* format, va_list args) {
    const auto spd_level = level_of(level);
    if (!spdlog::should_log(spd_level)) return;
    char line[1024];
    std::vsnprintf(line, sizeof line, format, args);
    std::string_view text(line);
    while (!text.empty() && text.back() == '\n')
        text.remove_suffix(1);
    spdlog::log(spd_level, "fuse: {}", text);
}

void install(std::shared_ptr<spdlog::logger> logger, spdlog::level::level_enum level) {
    logger->set_level(level);
    logger->flush_on(spdlog::level::warn);
    spdlog::set_default_logger(std::move(logger));
}

}  // namespace

void init_logging(spdlog::level::level_enum level) {
    spdlog::drop("idshift");
    auto logger = spdlog::stderr_logger_mt("idshift");
    logger->set_pattern("idshift: %^%l%$: %v");
    install(std::move(logger), level);
    fuse_set_log_func(libfuse_log);
}

void log_to_syslog() {
    const auto level = spdlog::default_logger()->level();
    spdlog::drop("idshift");
    auto logger = spdlog::syslog_logger_mt("idshift", "idshift", LOG_PID, LOG_DAEMON, true);
    logger->set_pattern("%v");
    install(std::move(logger), level);
}

}  // namespace idshift::daemon

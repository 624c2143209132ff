#pragma once
// The statistics socket: a unix stream socket the daemon owns (mode 0600), served by one small
// thread. A client connects, writes one request line ("table" or "prometheus"), reads the text
// until the daemon closes the connection. `idshift stats` is that client.
#include <sys/types.h>

#include <functional>
#include <string>
#include <string_view>
#include <thread>

#include "idshift/sys/unique_fd.hpp"

namespace idshift::daemon {

inline constexpr std::string_view kStatsSocketDir = "/run/idshift";

// A path as systemd-escape --path writes it (the instance name of idshift@.service):
// "/run/idshift/web-data" → "run-idshift-web\x2ddata", "/" → "-".
std::string escape_path(std::string_view absolute_path);

// `mountpoint` resolved (symlinks, "..", relative to the working directory): the key under which
// the daemon, `idshift stats` and `idshift reload` find a mount however each was given the path.
std::string resolve_mountpoint(const std::string& mountpoint);

// The default socket of a mountpoint: /run/idshift/<escaped mountpoint>.sock. The mountpoint is
// resolved (symlinks, "..", relative to the working directory) so that the daemon and
// `idshift stats MOUNTPOINT` agree however each was given the path.
std::string default_stats_socket(const std::string& mountpoint);

class StatsServer {
  public:
    // Answers one request line with the text to send back.
    using Render = std::function<std::string(std::string_view request)>;
    // Called about once a second by the serving thread (for housekeeping such as flushing
    // rate-limited log summaries).
    using Tick = std::function<void()>;

    // Binds and listens on `path`. A socket file nobody listens on any more (left by a daemon that
    // was killed) is replaced; a live one, or a file that is not a socket, is an error. The
    // directory is created 0700 when missing. Throws std::system_error.
    StatsServer(std::string path, Render render, Tick tick);
    // Stops the thread and removes the socket file.
    ~StatsServer();
    StatsServer(const StatsServer&) = delete;
    StatsServer& operator=(const StatsServer&) = delete;

    // Starts serving. Separate from construction because the daemon forks (fuse_daemonize) in
    // between, and a thread does not survive a fork.
    void start();
    const std::string& path() const noexcept { return path_; }

  private:
    void serve() noexcept;
    void answer(int connection) noexcept;

    std::string path_;
    Render render_;
    Tick tick_;
    sys::UniqueFd listener_;
    sys::UniqueFd stop_;  // an eventfd: written once to end the thread
    dev_t socket_dev_ = 0;
    ino_t socket_ino_ = 0;
    std::thread thread_;
};

// The client side: connects to `path`, sends `request`, returns everything the daemon wrote.
// Throws std::system_error (ENOENT / ECONNREFUSED when no daemon serves the path).
std::string fetch_stats(const std::string& path, std::string_view request);

}  // namespace idshift::daemon

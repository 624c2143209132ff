#include "stats_server.hpp"
#include "idshift/sys/errno.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace idshift::daemon {
namespace {

constexpr int kTickMs = 1000;
constexpr std::size_t kMaxRequest = 64;
constexpr timeval kClientTimeout{1, 0};  // a client that stalls cannot hold the thread longer

[[noreturn]] void fail(int error, const std::string& what) {
    throw std::system_error(error, std::generic_category(), what);
}

sockaddr_un address_of(const std::string& path) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path.empty() || path.size() >= sizeof address.sun_path) {
        fail(ENAMETOOLONG, "stats socket " + path + ": longer than a unix socket path may be (" +
                               std::to_string(sizeof address.sun_path - 1) +
                               " bytes); choose one with -o stats_socket=PATH");
    }
    path.copy(address.sun_path, path.size());
    return address;
}

sys::UniqueFd unix_socket() {
    sys::UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd) fail(errno, "socket");
    return fd;
}

// 0 when something accepts connections at `address`, else connect's errno.
int probe(const sockaddr_un& address) {
    sys::UniqueFd fd = unix_socket();
    const int rc = ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address);
    return sys::errno_of(rc);
}

// Makes room for the socket: creates the directory (0700) when missing, and removes a socket
// file that nobody listens on.
void prepare(const std::string& path, const sockaddr_un& address) {
    const std::filesystem::path dir = std::filesystem::path(path).parent_path();
    if (!dir.empty() && ::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
        fail(errno, "stats socket directory " + dir.string());
    }
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
        if (errno == ENOENT) return;
        fail(errno, "stats socket " + path);
    }
    if (!S_ISSOCK(st.st_mode)) fail(EEXIST, "stats socket " + path + ": not a socket");
    const int reached = probe(address);
    if (reached == 0) {
        fail(EADDRINUSE, "stats socket " + path + ": another process serves it");
    }
    if (reached != ECONNREFUSED) fail(reached, "stats socket " + path);
    spdlog::info("removing the stale stats socket {}", path);
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) fail(errno, "stats socket " + path);
}

bool write_all(int fd, std::string_view text) {
    while (!text.empty()) {
        const ssize_t n = ::send(fd, text.data(), text.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        text.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

// Reads the request line: up to the first newline, end of stream, or kMaxRequest bytes.
std::string read_request(int fd) {
    std::string request;
    char buffer[kMaxRequest];
    while (request.size() < kMaxRequest) {
        const ssize_t n = ::recv(fd, buffer, kMaxRequest - request.size(), 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        request.append(buffer, static_cast<std::size_t>(n));
        if (request.find('\n') != std::string::npos) break;
    }
    request.resize(std::min(request.find('\n'), request.size()));
    return request;
}

}  // namespace

std::string escape_path(std::string_view path) {
    while (!path.empty() && path.front() == '/')
        path.remove_prefix(1);
    while (!path.empty() && path.back() == '/')
        path.remove_suffix(1);
    if (path.empty()) return "-";
    std::string out;
    for (std::size_t i = 0; i < path.size(); ++i) {
        const unsigned char c = static_cast<unsigned char>(path[i]);
        const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                           (c >= '0' && c <= '9') || c == ':' || c == '_' || (c == '.' && i > 0);
        if (c == '/') {
            out += '-';
        } else if (plain) {
            out += static_cast<char>(c);
        } else {
            static constexpr char kHex[] = "0123456789abcdef";
            out += "\\x";
            out += kHex[c >> 4];
            out += kHex[c & 0xF];
        }
    }
    return out;
}

std::string resolve_mountpoint(const std::string& mountpoint) {
    if (char* real = ::realpath(mountpoint.c_str(), nullptr)) {
        std::string resolved = real;
        std::free(real);
        return resolved;
    }
    return std::filesystem::absolute(mountpoint).lexically_normal().string();
}

std::string default_stats_socket(const std::string& mountpoint) {
    return std::string(kStatsSocketDir) + "/" + escape_path(resolve_mountpoint(mountpoint)) +
           ".sock";
}

StatsServer::StatsServer(std::string path, Render render, Tick tick)
    : path_(std::move(path)), render_(std::move(render)), tick_(std::move(tick)) {
    const sockaddr_un address = address_of(path_);
    prepare(path_, address);
    sys::UniqueFd listener = unix_socket();
    // The socket file is created with the umask applied: 0177 leaves it 0600 from the start.
    const mode_t old_umask = ::umask(0177);
    const int bound =
        ::bind(listener.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address);
    const int bind_error = errno;
    ::umask(old_umask);
    if (bound != 0) fail(bind_error, "stats socket " + path_);
    struct stat st {};
    if (::lstat(path_.c_str(), &st) != 0) fail(errno, "stats socket " + path_);
    socket_dev_ = st.st_dev;
    socket_ino_ = st.st_ino;
    if (::listen(listener.get(), 8) != 0) {
        const int error = errno;
        ::unlink(path_.c_str());
        fail(error, "stats socket " + path_);
    }
    sys::UniqueFd stop(::eventfd(0, EFD_CLOEXEC));
    if (!stop) {
        const int error = errno;
        ::unlink(path_.c_str());
        fail(error, "eventfd");
    }
    listener_ = std::move(listener);
    stop_ = std::move(stop);
}

StatsServer::~StatsServer() {
    if (thread_.joinable()) {
        const std::uint64_t one = 1;
        if (::write(stop_.get(), &one, sizeof one) == sizeof one)
            thread_.join();
        else
            thread_.detach();  // cannot happen with an eventfd; never block the exit on it
    }
    // Only the socket this server bound: a later daemon may have replaced the file.
    struct stat st {};
    if (::lstat(path_.c_str(), &st) == 0 && st.st_dev == socket_dev_ && st.st_ino == socket_ino_) {
        ::unlink(path_.c_str());
    }
}

void StatsServer::start() {
    thread_ = std::thread([this] { serve(); });
}

void StatsServer::serve() noexcept {
    pollfd fds[2] = {{listener_.get(), POLLIN, 0}, {stop_.get(), POLLIN, 0}};
    while (true) {
        const int ready = ::poll(fds, 2, kTickMs);
        if (ready < 0 && errno != EINTR) {
            spdlog::error("stats socket {}: poll: {}", path_, std::strerror(errno));
            return;
        }
        if (fds[1].revents != 0) return;
        if (tick_) tick_();
        if (ready <= 0 || (fds[0].revents & POLLIN) == 0) continue;
        sys::UniqueFd connection(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
        if (connection) answer(connection.get());
    }
}

void StatsServer::answer(int connection) noexcept {
    ::setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &kClientTimeout, sizeof kClientTimeout);
    ::setsockopt(connection, SOL_SOCKET, SO_SNDTIMEO, &kClientTimeout, sizeof kClientTimeout);
    try {
        write_all(connection, render_(read_request(connection)));
    } catch (const std::exception& e) {
        spdlog::warn("stats socket {}: {}", path_, e.what());
    }
}

std::string fetch_stats(const std::string& path, std::string_view request) {
    const sockaddr_un address = address_of(path);
    sys::UniqueFd fd = unix_socket();
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        fail(errno, path);
    }
    if (!write_all(fd.get(), std::string(request) + "\n")) fail(errno, path);
    ::shutdown(fd.get(), SHUT_WR);
    std::string text;
    char buffer[65536];
    while (true) {
        const ssize_t n = ::recv(fd.get(), buffer, sizeof buffer, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail(errno, path);
        if (n == 0) break;
        text.append(buffer, static_cast<std::size_t>(n));
    }
    return text;
}

}  // namespace idshift::daemon

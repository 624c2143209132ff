#include "reload.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <system_error>

namespace idshift::daemon {
namespace {

void ignore_signal(int) {}

sigset_t sighup_set() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    return set;
}

}  // namespace

idmap::ParseErrors reload_map(const std::string& map_file, idmap::MapHolder& maps,
                              const idmap::NameResolver& storage_names, idmap::FileTrust trust) {
    idmap::MapLoad loaded = idmap::load_map_file(map_file, storage_names, trust);
    if (!loaded.ok()) {
        for (const auto& error : loaded.errors)
            spdlog::error("{}", error.to_string());
        spdlog::error("{}: map not reloaded ({} errors); the previous map stays in use", map_file,
                      loaded.errors.size());
        return std::move(loaded.errors);
    }
    maps.replace(std::move(*loaded.map));
    spdlog::info("{}: map reloaded", map_file);
    return {};
}

void SighupThread::prepare_signals() {
    struct sigaction action {};
    action.sa_handler = ignore_signal;
    sigemptyset(&action.sa_mask);
    if (sigaction(SIGHUP, &action, nullptr) != 0) {
        throw std::system_error(errno, std::generic_category(), "sigaction(SIGHUP)");
    }
    const sigset_t set = sighup_set();
    if (const int e = pthread_sigmask(SIG_BLOCK, &set, nullptr)) {
        throw std::system_error(e, std::generic_category(), "pthread_sigmask");
    }
}

SighupThread::SighupThread(std::function<void()> on_sighup) : on_sighup_(std::move(on_sighup)) {
    const sigset_t set = sighup_set();
    signal_fd_.reset(signalfd(-1, &set, SFD_CLOEXEC));
    if (!signal_fd_) throw std::system_error(errno, std::generic_category(), "signalfd");
    stop_fd_.reset(eventfd(0, EFD_CLOEXEC));
    if (!stop_fd_) throw std::system_error(errno, std::generic_category(), "eventfd");
    thread_ = std::thread([this] { run(); });
}

SighupThread::~SighupThread() {
    const std::uint64_t one = 1;
    [[maybe_unused]] const ssize_t n = ::write(stop_fd_.get(), &one, sizeof one);
    thread_.join();
}

void SighupThread::run() noexcept {
    pollfd fds[2] = {{signal_fd_.get(), POLLIN, 0}, {stop_fd_.get(), POLLIN, 0}};
    for (;;) {
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            spdlog::error("SIGHUP thread: poll: {}", std::strerror(errno));
            return;
        }
        if (fds[1].revents != 0) return;
        if (fds[0].revents == 0) continue;
        signalfd_siginfo info{};
        if (::read(signal_fd_.get(), &info, sizeof info) != static_cast<ssize_t>(sizeof info))
            continue;
        try {
            on_sighup_();
        } catch (const std::exception& e) {
            spdlog::error("reload failed: {}", e.what());
        }
    }
}

}  // namespace idshift::daemon

#include "support/child.hpp"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <system_error>

namespace idshift::itest {

std::ostream& operator<<(std::ostream& out, const Caller& caller) {
    out << "uid " << caller.uid << " gid " << caller.gid << " groups {";
    for (const gid_t group : caller.groups)
        out << ' ' << group;
    return out << " }";
}

namespace {

void write_all(int fd, const void* data, std::size_t size) {
    const auto* bytes = static_cast<const char*>(data);
    while (size > 0) {
        const ssize_t n = ::write(fd, bytes, size);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw std::system_error(errno, std::generic_category(), "pipe write");
        bytes += n;
        size -= static_cast<std::size_t>(n);
    }
}

// Reads exactly `size` bytes; false on end of file before the first byte.
bool read_all(int fd, void* data, std::size_t size) {
    auto* bytes = static_cast<char*>(data);
    std::size_t done = 0;
    while (done < size) {
        pollfd waiter{fd, POLLIN, 0};
        const int ready = ::poll(&waiter, 1, Channel::kLivenessSeconds * 1000);
        if (ready < 0 && errno == EINTR) continue;
        if (ready < 0) throw std::system_error(errno, std::generic_category(), "poll");
        if (ready == 0) throw std::runtime_error("peer process silent for too long (hung?)");
        const ssize_t n = ::read(fd, bytes + done, size - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw std::system_error(errno, std::generic_category(), "pipe read");
        if (n == 0) {
            if (done == 0) return false;
            throw std::runtime_error("pipe closed in the middle of a message");
        }
        done += static_cast<std::size_t>(n);
    }
    return true;
}

UniqueFd pipe_pair(UniqueFd& write_end) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0)
        throw std::system_error(errno, std::generic_category(), "pipe2");
    write_end.reset(fds[1]);
    return UniqueFd(fds[0]);
}

// In the child: become `caller`. Order matters: groups and gids while still privileged, uid last.
bool switch_credentials(const Caller& caller) {
    if (::setgroups(caller.groups.size(), caller.groups.data()) != 0) return false;
    if (::setresgid(caller.gid, caller.gid, caller.gid) != 0) return false;
    if (::setresuid(caller.uid, caller.uid, caller.uid) != 0) return false;
    return true;
}

constexpr int kExitSetupFailed = 120;
constexpr int kExitException = 121;

}  // namespace

void Channel::send(const std::string& message) {
    const auto size = static_cast<std::uint32_t>(message.size());
    write_all(out_.get(), &size, sizeof size);
    write_all(out_.get(), message.data(), message.size());
}

std::optional<std::string> Channel::receive() {
    std::uint32_t size = 0;
    if (!read_all(in_.get(), &size, sizeof size)) return std::nullopt;
    std::string message(size, '\0');
    if (size > 0 && !read_all(in_.get(), message.data(), size))
        throw std::runtime_error("pipe closed in the middle of a message");
    return message;
}

ChildProcess::ChildProcess(const Caller& caller, const Body& body) {
    UniqueFd to_child_write;
    UniqueFd to_child_read = pipe_pair(to_child_write);
    UniqueFd to_parent_write;
    UniqueFd to_parent_read = pipe_pair(to_parent_write);
    std::fflush(nullptr);  // the child must not flush the parent's buffered output again
    pid_ = ::fork();
    if (pid_ < 0) throw std::system_error(errno, std::generic_category(), "fork");
    if (pid_ == 0) {
        to_child_write.reset();
        to_parent_read.reset();
        if (!switch_credentials(caller)) {
            std::fprintf(stderr, "itest child: cannot become %u:%u: %s\n", caller.uid, caller.gid,
                         std::strerror(errno));
            ::_exit(kExitSetupFailed);
        }
        int code = kExitException;
        try {
            Channel channel(std::move(to_child_read), std::move(to_parent_write));
            code = body(channel);
        } catch (const std::exception& error) {
            std::fprintf(stderr, "itest child: %s\n", error.what());
        }
        // _exit: no atexit handlers, no test-framework teardown, no sanitizer leak pass in a
        // copy of the test process.
        ::_exit(code);
    }
    channel_.emplace(std::move(to_parent_read), std::move(to_child_write));
}

ChildProcess::~ChildProcess() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
}

int ChildProcess::wait() {
    int status = 0;
    pid_t done = -1;
    do {
        done = ::waitpid(pid_, &status, 0);
    } while (done < 0 && errno == EINTR);
    if (done < 0) throw std::system_error(errno, std::generic_category(), "waitpid");
    pid_ = -1;
    if (WIFSIGNALED(status))
        throw std::runtime_error("child killed by signal " + std::to_string(WTERMSIG(status)));
    const int code = WEXITSTATUS(status);
    if (code == kExitSetupFailed) throw std::runtime_error("child could not switch credentials");
    if (code == kExitException) throw std::runtime_error("child threw an exception");
    return code;
}

std::string as_user_output(const Caller& caller, const std::function<std::string()>& fn) {
    ChildProcess child(caller, [&](Channel& channel) {
        channel.send(fn());
        return 0;
    });
    std::optional<std::string> result = child.channel().receive();
    child.wait();
    if (!result) throw std::runtime_error("child ended without a result");
    return *result;
}

int as_user(const Caller& caller, const std::function<int()>& fn) {
    return std::stoi(as_user_output(caller, [&] { return std::to_string(fn()); }));
}

int run_program(const std::vector<std::string>& argv, std::string* output) {
    std::vector<char*> args;
    for (const std::string& arg : argv)
        args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    UniqueFd output_write;
    UniqueFd output_read = pipe_pair(output_write);
    std::fflush(nullptr);
    const pid_t pid = ::fork();
    if (pid < 0) throw std::system_error(errno, std::generic_category(), "fork");
    if (pid == 0) {
        ::dup2(output_write.get(), STDOUT_FILENO);
        ::dup2(output_write.get(), STDERR_FILENO);
        ::execvp(args[0], args.data());
        std::fprintf(stderr, "cannot run %s: %s\n", args[0], std::strerror(errno));
        ::_exit(127);
    }
    output_write.reset();
    std::string text;
    char buffer[4096];
    for (;;) {
        const ssize_t n = ::read(output_read.get(), buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        text.append(buffer, static_cast<std::size_t>(n));
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (output != nullptr) *output = std::move(text);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace idshift::itest

#include "caller.hpp"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <thread>

#include "idshift/sys/unique_fd.hpp"

namespace idshift::robust {
namespace {

// What the child writes back: the action's outcome, or the setup step that failed.
struct Report {
    long ret;
    int err;
    int failed_step;  // 0: none; otherwise an index into kSteps
    int step_errno;
};

constexpr const char* kSteps[] = {"", "setgroups", "setresgid", "setresuid", "chdir"};

// Returns the failed step (see kSteps) or 0.
int become_step(const Caller* caller) {
    if (caller == nullptr) return 0;
    if (::setgroups(caller->groups.size(), caller->groups.data()) != 0) return 1;
    if (::setresgid(caller->gid, caller->gid, caller->gid) != 0) return 2;
    if (::setresuid(caller->uid, caller->uid, caller->uid) != 0) return 3;
    return 0;
}

int enter(const std::filesystem::path& cwd, mode_t umask) {
    ::umask(umask);
    if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) return 4;
    return 0;
}

int switch_identity(const ChildOptions& options) {
    const int failed = become_step(options.caller);
    return failed != 0 ? failed : enter(options.cwd, options.umask);
}

bool read_exactly(int fd, void* buffer, std::size_t size) {
    auto* bytes = static_cast<char*>(buffer);
    while (size > 0) {
        const ssize_t got = ::read(fd, bytes, size);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) return false;
        bytes += got;
        size -= static_cast<std::size_t>(got);
    }
    return true;
}

// What the parent sends a CallerProcess: the action index, the umask and the directory.
struct Request {
    std::uint64_t index;
    std::uint32_t umask;
    std::uint32_t cwd_length;
};

[[noreturn]] void child_main(const ChildOptions& options, const std::function<Outcome()>& action,
                             int report_fd) {
    Report report{};
    report.failed_step = switch_identity(options);
    if (report.failed_step != 0) {
        report.step_errno = errno;
    } else {
        const Outcome outcome = action();
        report.ret = outcome.ret;
        report.err = outcome.err;
    }
    const ssize_t written = ::write(report_fd, &report, sizeof report);
    ::_exit(written == sizeof report ? 0 : 1);
}

bool wait_readable(int fd, std::chrono::milliseconds timeout) {
    pollfd entry{fd, POLLIN, 0};
    const int limit = timeout.count() > 0 ? static_cast<int>(timeout.count()) : -1;
    for (;;) {
        const int ready = ::poll(&entry, 1, limit);
        if (ready >= 0) return ready > 0;
        if (errno != EINTR) return false;
    }
}

std::string describe_status(int status) {
    if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
    return "exited with status " + std::to_string(WEXITSTATUS(status));
}

}  // namespace

ChildResult run_child(const ChildOptions& options, const std::function<Outcome()>& action) {
    int ends[2];
    if (::pipe2(ends, O_CLOEXEC) != 0) return {{}, false, "pipe: " + errno_name(errno)};
    sys::UniqueFd read_end(ends[0]);
    sys::UniqueFd write_end(ends[1]);
    const pid_t pid = ::fork();
    if (pid < 0) return {{}, false, "fork: " + errno_name(errno)};
    if (pid == 0) child_main(options, action, write_end.get());
    write_end.reset();

    ChildResult result;
    if (!wait_readable(read_end.get(), options.timeout)) {
        ::kill(pid, SIGKILL);
        result.timed_out = true;
    }
    Report report{};
    const bool reported =
        !result.timed_out && ::read(read_end.get(), &report, sizeof report) == sizeof report;
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (result.timed_out) {
        result.problem = "no answer within " + std::to_string(options.timeout.count()) + " ms";
    } else if (!reported) {
        result.problem = "child " + describe_status(status) + " before reporting";
    } else if (report.failed_step != 0) {
        result.problem =
            std::string(kSteps[report.failed_step]) + ": " + errno_name(report.step_errno);
    } else {
        result.outcome = Outcome{report.ret, report.err};
    }
    return result;
}

bool become(const Caller& caller) {
    return become_step(&caller) == 0;
}

CallerProcess::CallerProcess(const Caller& caller, Dispatch dispatch)
    : caller_(caller), dispatch_(std::move(dispatch)) {}

CallerProcess::~CallerProcess() {
    stop();
}

void CallerProcess::start() {
    int requests[2];
    int answers[2];
    if (::pipe2(requests, O_CLOEXEC) != 0) return;
    if (::pipe2(answers, O_CLOEXEC) != 0) {
        ::close(requests[0]);
        ::close(requests[1]);
        return;
    }
    pid_ = ::fork();
    if (pid_ == 0) {
        ::close(requests[1]);
        ::close(answers[0]);
        const int identity_failure = become_step(&caller_);
        const int identity_errno = errno;
        Request request{};
        std::string cwd;
        while (read_exactly(requests[0], &request, sizeof request)) {
            cwd.resize(request.cwd_length);
            if (!read_exactly(requests[0], cwd.data(), cwd.size())) break;
            Report report{};
            report.failed_step =
                identity_failure != 0 ? identity_failure : enter(cwd, request.umask);
            report.step_errno = identity_failure != 0 ? identity_errno : errno;
            if (report.failed_step == 0) {
                const Outcome outcome = dispatch_(request.index);
                report.ret = outcome.ret;
                report.err = outcome.err;
            }
            if (::write(answers[1], &report, sizeof report) != sizeof report) break;
        }
        ::_exit(0);
    }
    ::close(requests[0]);
    ::close(answers[1]);
    to_child_ = requests[1];
    from_child_ = answers[0];
    if (pid_ < 0) stop();
}

void CallerProcess::stop() {
    if (to_child_ >= 0) ::close(to_child_);
    if (from_child_ >= 0) ::close(from_child_);
    to_child_ = from_child_ = -1;
    if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
        }
    }
    pid_ = -1;
}

ChildResult CallerProcess::run(std::size_t index, const std::filesystem::path& cwd, mode_t umask,
                               std::chrono::milliseconds timeout) {
    if (pid_ <= 0) start();
    if (pid_ <= 0) return {{}, false, "cannot start the caller process"};
    const std::string where = cwd.string();
    const Request request{index, umask, static_cast<std::uint32_t>(where.size())};
    std::string message(reinterpret_cast<const char*>(&request), sizeof request);
    message += where;
    ChildResult result;
    Report report{};
    if (::write(to_child_, message.data(), message.size()) !=
        static_cast<ssize_t>(message.size())) {
        result.problem = "caller process gone: " + errno_name(errno);
    } else if (!wait_readable(from_child_, timeout)) {
        result.timed_out = true;
        result.problem = "no answer within " + std::to_string(timeout.count()) + " ms";
    } else if (!read_exactly(from_child_, &report, sizeof report)) {
        result.problem = "caller process died during the call";
    } else if (report.failed_step != 0) {
        result.problem =
            std::string(kSteps[report.failed_step]) + ": " + errno_name(report.step_errno);
    } else {
        result.outcome = Outcome{report.ret, report.err};
    }
    if (!result.problem.empty()) stop();
    return result;
}

bool wait_for_children(std::vector<pid_t>& pids, std::chrono::steady_clock::time_point deadline) {
    for (;;) {
        for (auto it = pids.begin(); it != pids.end();) {
            it = ::waitpid(*it, nullptr, WNOHANG) == *it ? pids.erase(it) : it + 1;
        }
        if (pids.empty()) return true;
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

int run_command(const std::vector<std::string>& argv, const std::filesystem::path& log) {
    std::vector<char*> pointers;
    for (const std::string& word : argv)
        pointers.push_back(const_cast<char*>(word.c_str()));
    pointers.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid < 0) return 127;
    if (pid == 0) {
        if (!log.empty()) {
            const int fd = ::open(log.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
            if (fd >= 0) {
                ::dup2(fd, STDOUT_FILENO);
                ::dup2(fd, STDERR_FILENO);
            }
        }
        ::execvp(pointers[0], pointers.data());
        ::_exit(127);
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

}  // namespace idshift::robust

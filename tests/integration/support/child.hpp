#pragma once
// Running code as another user: a forked child switches to the caller's credentials, runs a
// function and reports back through a pipe, so tests can assert exact results and errno values of
// syscalls made by non-root callers.
#include <sys/types.h>

#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "support/errno_calls.hpp"
#include "support/unique_fd.hpp"

namespace idshift::itest {

// Who a child runs as: uid, primary gid and supplementary groups (all mount-side ids when the
// child works through a mount).
struct Caller {
    uid_t uid = 0;
    gid_t gid = 0;
    std::vector<gid_t> groups;
};
std::ostream& operator<<(std::ostream& out, const Caller& caller);

inline const Caller kRoot{0, 0, {}};

// Two pipes between the test and one child; messages are length-prefixed strings.
class Channel {
  public:
    Channel(UniqueFd in, UniqueFd out) : in_(std::move(in)), out_(std::move(out)) {}
    void send(const std::string& message);
    // Blocks until a message arrives; nullopt on end of file. A peer silent for longer than
    // kLivenessSeconds is treated as hung (the test fails instead of hanging its caller forever).
    std::optional<std::string> receive();
    static constexpr int kLivenessSeconds = 60;

  private:
    UniqueFd in_;
    UniqueFd out_;
};

// A forked child running `body` as `caller`. The child exits with body's return value; it never
// returns into the test framework. The destructor kills and reaps a child still running.
class ChildProcess {
  public:
    using Body = std::function<int(Channel&)>;
    ChildProcess(const Caller& caller, const Body& body);
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;
    ~ChildProcess();

    Channel& channel() noexcept { return *channel_; }
    pid_t pid() const noexcept { return pid_; }
    // Waits for the child; returns its exit code, throws if a signal killed it.
    int wait();

  private:
    pid_t pid_ = -1;
    std::optional<Channel> channel_;
};

// Runs fn as `caller` in a child and returns what fn returned (typically 0 or an errno).
int as_user(const Caller& caller, const std::function<int()>& fn);
// Same, for functions that produce bytes (file contents, readlink text, ...).
std::string as_user_output(const Caller& caller, const std::function<std::string()>& fn);

// Runs a program (argv[0] searched in PATH) as root, waits, and returns its exit code (-1 if a
// signal ended it); stdout and stderr together go to *output when given.
int run_program(const std::vector<std::string>& argv, std::string* output = nullptr);

}  // namespace idshift::itest

#pragma once
// The identities the suites act as, and a way to run one system call as one of them in a child
// process (credentials are per process for glibc's setresuid, so a fork keeps the suite itself
// root). All ids are mount-side ids.
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string_view>
#include <vector>

#include "outcome.hpp"

namespace idshift::robust {

struct Caller {
    std::string_view name;
    uid_t uid;
    gid_t gid;
    std::vector<gid_t> groups;  // supplementary groups
};

// 1002 is the "team" group: bob belongs to it, alice does not.
inline constexpr gid_t kTeamGroup = 1002;
inline const Caller kRoot{"root", 0, 0, {0}};
inline const Caller kAlice{"alice", 1000, 1000, {1000}};
inline const Caller kBob{"bob", 1001, 1001, {1001, kTeamGroup}};

// Switches the whole process (every thread) to the caller: supplementary groups, gid, uid, in
// that order. Returns false with errno set if a step fails. Only for forked children.
bool become(const Caller& caller);

struct ChildOptions {
    const Caller* caller = nullptr;  // nullptr: stay root
    std::filesystem::path cwd;       // empty: stay where the suite is
    mode_t umask = 022;
    std::chrono::milliseconds timeout{0};  // 0: wait as long as it takes
};

struct ChildResult {
    Outcome outcome;
    bool timed_out = false;  // the child was killed after `timeout`
    std::string problem;     // set when the child could not report (died, failed to switch ids)
};

// Forks; the child switches to the caller's groups, gid and uid (in that order), sets the umask,
// changes into cwd, runs `action` and reports its Outcome through a pipe. The parent must not
// have other threads that hold locks `action` needs (the suites fork before starting threads).
ChildResult run_child(const ChildOptions& options, const std::function<Outcome()>& action);

// A child process that switched to one caller's identity once and then runs actions on request,
// by index into a table the parent built before constructing it (the child has a copy of the
// parent's memory as of the fork). Cheaper than a fork per call. If an action does not answer
// within its timeout, the child is killed and a new one is forked for the next request.
class CallerProcess {
  public:
    using Dispatch = std::function<Outcome(std::size_t index)>;
    CallerProcess(const Caller& caller, Dispatch dispatch);
    ~CallerProcess();
    CallerProcess(const CallerProcess&) = delete;
    CallerProcess& operator=(const CallerProcess&) = delete;

    ChildResult run(std::size_t index, const std::filesystem::path& cwd, mode_t umask,
                    std::chrono::milliseconds timeout);

  private:
    void start();
    void stop();

    const Caller& caller_;
    Dispatch dispatch_;
    pid_t pid_ = -1;
    int to_child_ = -1;
    int from_child_ = -1;
};

// Reaps the given children as they exit, removing them from `pids`, until all are gone (true) or
// `deadline` passes (false; the rest stay in `pids`).
bool wait_for_children(std::vector<pid_t>& pids, std::chrono::steady_clock::time_point deadline);

// Runs a program to completion; returns its exit status, or 128 + signal. Its stdout and
// stderr go to `log` when given, else they are inherited.
int run_command(const std::vector<std::string>& argv, const std::filesystem::path& log = {});

}  // namespace idshift::robust

#pragma once
// The command line, as FUSE users expect it: idshift [options] SOURCE MOUNTPOINT, with -f, -d and
// -o a,b=c, plus --log-level, --help and --version.
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

#include "config.hpp"

namespace idshift::daemon {

// A command line that cannot be used; what() is the message for the user (without the program
// name).
class UsageError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct CommandLine {
    enum class Action { mount, help, version };
    Action action = Action::mount;
    Config config;
};

// `args` is argv without argv[0]. Throws UsageError.
CommandLine parse_command_line(std::span<const char* const> args);

// The --help text.
std::string help_text();
// The --version line.
std::string version_text();

}  // namespace idshift::daemon

#include "support/daemon_log.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <system_error>
#include <vector>

#include "support/temp_dir.hpp"
#include "support/unique_fd.hpp"

namespace idshift::itest {

namespace {

std::string log_dir_path() {
    return "/tmp/idshift-itest-logs." + std::to_string(::getpid());
}

}  // namespace

std::string daemon_log_dir() {
    std::string dir = log_dir_path();
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
        throw std::system_error(errno, std::generic_category(), "mkdir " + dir);
    return dir;
}

std::string new_daemon_log(const std::string& stem) {
    std::string pattern = daemon_log_dir() + "/" + stem + "-XXXXXX";
    const UniqueFd fd(::mkstemp(pattern.data()));
    if (!fd) throw std::system_error(errno, std::generic_category(), "mkstemp " + pattern);
    return pattern;
}

void print_daemon_logs(std::ostream& out) {
    const std::string dir = log_dir_path();
    std::error_code error;
    std::vector<std::filesystem::path> logs;
    for (const auto& entry : std::filesystem::directory_iterator(dir, error))
        logs.push_back(entry.path());
    std::sort(logs.begin(), logs.end());
    for (const auto& log : logs) {
        std::ifstream in(log);
        out << "----- daemon log " << log.filename().string() << " -----\n" << in.rdbuf();
        out << "----- end of " << log.filename().string() << " -----\n";
    }
}

void remove_daemon_logs() noexcept {
    remove_tree(log_dir_path());
}

}  // namespace idshift::itest

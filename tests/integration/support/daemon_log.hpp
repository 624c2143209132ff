#pragma once
// Where the daemons of one test process write their stderr. The test runner prints every log of a
// test case that failed and empties the directory after each test case (support/main.cpp).
#include <ostream>
#include <string>

namespace idshift::itest {

// /tmp/idshift-itest-logs.<pid>, created on first use. Derived from the pid, so nothing global.
std::string daemon_log_dir();
// Creates an empty log file in daemon_log_dir() whose name starts with `stem`; returns its path.
std::string new_daemon_log(const std::string& stem);
void print_daemon_logs(std::ostream& out);
void remove_daemon_logs() noexcept;

}  // namespace idshift::itest

#pragma once
// The daemon's request counters, read as a user would: `idshift stats --prometheus MOUNTPOINT`.
#include <map>
#include <string>

#include "support/mount_fixture.hpp"

namespace idshift::itest {

// Every idshift_ops_total{op="..."} sample, by operation. The daemon prints every operation, 0
// included; fails the test when the command fails.
std::map<std::string, long long> op_counts(const Mount& mount);

// The count of one operation; fails the test when the daemon printed no such series, so that a
// misspelt name cannot read as "no requests".
long long requests(const Mount& mount, const std::string& op);

// What each operation gained between two readings, operations that gained nothing left out.
std::map<std::string, long long> op_delta(const std::map<std::string, long long>& before,
                                          const std::map<std::string, long long>& after);

// "op=count op=count ...", in the order of the names: what a failed comparison prints.
std::string describe(const std::map<std::string, long long>& counts);

}  // namespace idshift::itest

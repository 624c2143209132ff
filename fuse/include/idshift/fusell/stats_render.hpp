#pragma once
// A StatsSnapshot as text: Prometheus's text exposition format (version 0.0.4) for scrapers, and
// a table for people.
#include <string>
#include <string_view>
#include <vector>

#include "idshift/fusell/stats.hpp"

namespace idshift::fusell {

// What the snapshot does not carry: the build, and what the kernel protocol extras came to.
struct StatsInfo {
    std::string version;
    std::string passthrough;           // "on" or "off"
    std::vector<StorageInfo> storage;  // every storage met below SOURCE, the root's first
};

// "ENOENT" for ENOENT; the number for a value without a name; "other" for 0 (the shared count of
// large errno values, see OpSnapshot::errors).
std::string errno_name(int error);

// Every operation's request count; errors, latency histograms only for operations that were
// asked for; the unmapped-id tables.
std::string render_prometheus(const StatsSnapshot& snapshot, const StatsInfo& info);

// The operations that were asked for, with errors and p50/p90/p99; then the unmapped ids.
std::string render_table(const StatsSnapshot& snapshot, const StatsInfo& info);

// "850 ns", "12.3 us", "4.0 ms", "1.25 s".
std::string format_duration_ns(double ns);

}  // namespace idshift::fusell

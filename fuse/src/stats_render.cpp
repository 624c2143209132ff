#include "idshift/fusell/stats_render.hpp"

#include <spdlog/fmt/fmt.h>

#include <cstring>
#include <iterator>

namespace idshift::fusell {
namespace {

constexpr double kNsPerSecond = 1e9;  // dividing keeps 5000 ns exactly 5e-06 s

const char* kind_name(idmap::Kind kind) noexcept {
    return kind == idmap::Kind::uid ? "uid" : "gid";
}

const char* yes_no(bool value) noexcept {
    return value ? "yes" : "no";
}

const char* direction_name(Direction direction) noexcept {
    return direction == Direction::read ? "read" : "write";
}

void header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
    fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

void render_latency(std::string& out, const OpSnapshot& op) {
    const char* name = op_name(op.op);
    std::uint64_t cumulative = 0;
    for (std::size_t b = 0; b < kLatencyBuckets; ++b) {
        cumulative += op.latency[b];
        auto it = std::back_inserter(out);
        if (b + 1 == kLatencyBuckets) {
            fmt::format_to(it, "idshift_op_latency_seconds_bucket{{op=\"{}\",le=\"+Inf\"}} {}\n",
                           name, cumulative);
        } else {
            const double le = static_cast<double>(latency_bucket_bound_ns(b)) / kNsPerSecond;
            fmt::format_to(it, "idshift_op_latency_seconds_bucket{{op=\"{}\",le=\"{}\"}} {}\n",
                           name, le, cumulative);
        }
    }
    fmt::format_to(std::back_inserter(out), "idshift_op_latency_seconds_sum{{op=\"{}\"}} {}\n",
                   name, static_cast<double>(op.latency_sum_ns) / kNsPerSecond);
    fmt::format_to(std::back_inserter(out), "idshift_op_latency_seconds_count{{op=\"{}\"}} {}\n",
                   name, op.count);
}

}  // namespace

std::string errno_name(int error) {
    if (error == 0) return "other";
    if (const char* name = ::strerrorname_np(error)) return name;
    return std::to_string(error);
}

std::string format_duration_ns(double ns) {
    if (ns < 1e3) return fmt::format("{:.0f} ns", ns);
    if (ns < 1e6) return fmt::format("{:.1f} us", ns / 1e3);
    if (ns < 1e9) return fmt::format("{:.1f} ms", ns / 1e6);
    return fmt::format("{:.2f} s", ns / 1e9);
}

std::string render_prometheus(const StatsSnapshot& snapshot, const StatsInfo& info) {
    std::string out;
    header(out, "idshift_info", "gauge", "The idshift build and its kernel protocol extras.");
    fmt::format_to(std::back_inserter(out), "idshift_info{{version=\"{}\",passthrough=\"{}\"}} 1\n",
                   info.version, info.passthrough);

    header(out, "idshift_ops_total", "counter", "Requests answered, per operation.");
    for (const OpSnapshot& op : snapshot.ops) {
        fmt::format_to(std::back_inserter(out), "idshift_ops_total{{op=\"{}\"}} {}\n",
                       op_name(op.op), op.count);
    }

    header(out, "idshift_op_errors_total", "counter",
           "Requests answered with an error, per operation and errno.");
    for (const OpSnapshot& op : snapshot.ops) {
        for (const auto& [error, count] : op.errors) {
            fmt::format_to(std::back_inserter(out),
                           "idshift_op_errors_total{{op=\"{}\",errno=\"{}\"}} {}\n", op_name(op.op),
                           errno_name(error), count);
        }
    }

    header(out, "idshift_op_latency_seconds", "histogram",
           "Time from a request's arrival to its answer, per operation.");
    for (const OpSnapshot& op : snapshot.ops) {
        if (op.count != 0) render_latency(out, op);
    }

    header(out, "idshift_unmapped_total", "counter",
           "Ids the map does not cover: storage ids read (shown as the unmapped-read id) and "
           "mount ids refused on write; id=\"other\" counts ids past the table's 64.");
    for (const UnmappedSnapshot& table : snapshot.unmapped) {
        const char* kind = kind_name(table.kind);
        const char* direction = direction_name(table.direction);
        for (const IdCount& hit : table.ids) {
            fmt::format_to(std::back_inserter(out),
                           "idshift_unmapped_total{{kind=\"{}\",direction=\"{}\",id=\"{}\"}} {}\n",
                           kind, direction, hit.id, hit.count);
        }
        if (table.other != 0) {
            fmt::format_to(std::back_inserter(out),
                           "idshift_unmapped_total{{kind=\"{}\",direction=\"{}\",id=\"other\"}} "
                           "{}\n",
                           kind, direction, table.other);
        }
    }
    header(out, "idshift_storage_info", "gauge",
           "Each storage below SOURCE: what idshift does there (probed at mount and at each new "
           "filesystem met).");
    for (const StorageInfo& storage : info.storage) {
        fmt::format_to(std::back_inserter(out),
                       "idshift_storage_info{{dev=\"{}\",fstype=\"{}\",acls=\"{}\","
                       "owner_after_create=\"{}\",passthrough=\"{}\"}} 1\n",
                       storage.dev, storage.fstype, yes_no(storage.acls),
                       yes_no(storage.owner_after_create), yes_no(storage.passthrough));
    }
    header(out, "idshift_storage_adaptations_total", "counter",
           "What idshift did where a storage lacks something.");
    for (std::size_t i = 0; i < kAdaptedCount; ++i) {
        fmt::format_to(std::back_inserter(out),
                       "idshift_storage_adaptations_total{{what=\"{}\"}} {}\n", kAdaptedNames[i],
                       snapshot.adapted[i]);
    }
    return out;
}

std::string render_table(const StatsSnapshot& snapshot, const StatsInfo& info) {
    std::string out = fmt::format("idshift {}, passthrough {}\n\n", info.version, info.passthrough);
    fmt::format_to(std::back_inserter(out), "{:<16} {:>10} {:>8} {:>10} {:>10} {:>10}\n",
                   "operation", "requests", "errors", "p50", "p90", "p99");
    bool any = false;
    for (const OpSnapshot& op : snapshot.ops) {
        if (op.count == 0) continue;
        any = true;
        std::uint64_t errors = 0;
        for (const auto& [error, count] : op.errors)
            errors += count;
        fmt::format_to(std::back_inserter(out), "{:<16} {:>10} {:>8} {:>10} {:>10} {:>10}\n",
                       op_name(op.op), op.count, errors,
                       format_duration_ns(latency_quantile_ns(op.latency, 0.5)),
                       format_duration_ns(latency_quantile_ns(op.latency, 0.9)),
                       format_duration_ns(latency_quantile_ns(op.latency, 0.99)));
        if (op.errors.empty()) continue;
        out += "    errors:";
        for (const auto& [error, count] : op.errors) {
            fmt::format_to(std::back_inserter(out), " {} {}", errno_name(error), count);
        }
        out += '\n';
    }
    if (!any) out += "(no requests yet)\n";

    out +=
        "\nunmapped ids (read: storage ids shown as the unmapped-read id; write: mount ids "
        "refused)\n";
    fmt::format_to(std::back_inserter(out), "{:<5} {:<9} {:>10} {:>10}\n", "kind", "direction",
                   "id", "count");
    bool any_unmapped = false;
    for (const UnmappedSnapshot& table : snapshot.unmapped) {
        for (const IdCount& hit : table.ids) {
            any_unmapped = true;
            fmt::format_to(std::back_inserter(out), "{:<5} {:<9} {:>10} {:>10}\n",
                           kind_name(table.kind), direction_name(table.direction), hit.id,
                           hit.count);
        }
        if (table.other != 0) {
            any_unmapped = true;
            fmt::format_to(std::back_inserter(out), "{:<5} {:<9} {:>10} {:>10}\n",
                           kind_name(table.kind), direction_name(table.direction), "other",
                           table.other);
        }
    }
    if (!any_unmapped) out += "(none)\n";

    out += "\nstorage\n";
    for (const StorageInfo& storage : info.storage) {
        fmt::format_to(std::back_inserter(out), "{} ({}): found {}; idshift: {}\n", storage.dev,
                       storage.fstype, storage.found, storage.does);
    }
    out += "adaptations:";
    for (std::size_t i = 0; i < kAdaptedCount; ++i) {
        fmt::format_to(std::back_inserter(out), "{} {} {}", i == 0 ? "" : ",", kAdaptedNames[i],
                       snapshot.adapted[i]);
    }
    out += '\n';
    return out;
}

}  // namespace idshift::fusell

#include "support/op_counts.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <sstream>

#include "support/child.hpp"

namespace idshift::itest {
namespace {

constexpr std::string_view kPrefix = "idshift_ops_total{op=\"";

}  // namespace

std::map<std::string, long long> op_counts(const Mount& mount) {
    const char* bin = std::getenv("IDSHIFT_BIN");
    REQUIRE(bin != nullptr);
    std::string text;
    const int rc = run_program({bin, "stats", "--prometheus", mount.path()}, &text);
    INFO(text);
    REQUIRE(rc == 0);
    std::map<std::string, long long> counts;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind(kPrefix, 0) != 0) continue;
        const std::size_t name_end = line.find("\"} ", kPrefix.size());
        if (name_end == std::string::npos) continue;
        counts[line.substr(kPrefix.size(), name_end - kPrefix.size())] =
            std::stoll(line.substr(name_end + 3));
    }
    return counts;
}

long long requests(const Mount& mount, const std::string& op) {
    const auto counts = op_counts(mount);
    const auto found = counts.find(op);
    if (found == counts.end()) FAIL("idshift stats --prometheus has no ops series for " << op);
    return found->second;
}

std::map<std::string, long long> op_delta(const std::map<std::string, long long>& before,
                                          const std::map<std::string, long long>& after) {
    std::map<std::string, long long> delta;
    for (const auto& [op, count] : after) {
        const auto old = before.find(op);
        const long long gained = count - (old == before.end() ? 0 : old->second);
        if (gained != 0) delta[op] = gained;
    }
    return delta;
}

std::string describe(const std::map<std::string, long long>& counts) {
    std::string out;
    for (const auto& [op, count] : counts)
        out += (out.empty() ? "" : " ") + op + "=" + std::to_string(count);
    return out;
}

}  // namespace idshift::itest

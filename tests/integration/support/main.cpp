// The runner of every integration binary. Without root or /dev/fuse nothing can be mounted, so the
// binary exits 77 (ctest's "skipped") with the reason, except when it is only asked to list its
// tests: catch_discover_tests does that at build time, as any user.
#define CATCH_CONFIG_RUNNER
#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

#include "support/daemon_log.hpp"
#include "support/unique_fd.hpp"

namespace idshift::itest {

namespace {

constexpr int kSkipped = 77;

std::optional<std::string> why_nothing_can_be_mounted() {
    if (::geteuid() != 0) return "integration tests mount file systems and need root";
    const UniqueFd fuse(::open("/dev/fuse", O_RDWR | O_CLOEXEC));
    if (!fuse) return std::string("cannot open /dev/fuse: ") + std::strerror(errno);
    return std::nullopt;
}

bool only_listing(const Catch::ConfigData& config) {
    return config.listTests || config.listTestNamesOnly || config.listTags ||
           config.listReporters || config.showHelp;
}

// Prints the logs of the daemons a failed test case started, then removes them.
class DaemonLogListener : public Catch::TestEventListenerBase {
  public:
    using TestEventListenerBase::TestEventListenerBase;

    void testCaseStarting(const Catch::TestCaseInfo& info) override {
        remove_daemon_logs();
        TestEventListenerBase::testCaseStarting(info);
    }
    void testCaseEnded(const Catch::TestCaseStats& stats) override {
        if (stats.totals.assertions.failed > 0) print_daemon_logs(std::cerr);
        remove_daemon_logs();
        TestEventListenerBase::testCaseEnded(stats);
    }
};

CATCH_REGISTER_LISTENER(DaemonLogListener)

}  // namespace

}  // namespace idshift::itest

namespace idshift::itest {
namespace {

// "--idshift-backend=NAME", the runner's one option of its own (CTest registers a suite a second
// time with it), becomes IDSHIFT_TEST_BACKEND for the fixture and is taken out of argv before
// Catch reads it.
constexpr std::string_view kBackendFlag = "--idshift-backend=";

int take_backend_flag(int argc, char** argv) {
    int kept = 0;
    for (int i = 0; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (i > 0 && arg.starts_with(kBackendFlag)) {
            ::setenv("IDSHIFT_TEST_BACKEND", std::string(arg.substr(kBackendFlag.size())).c_str(),
                     1);
            continue;
        }
        argv[kept++] = argv[i];
    }
    return kept;
}

}  // namespace
}  // namespace idshift::itest

int main(int argc, char** argv) {
    argc = idshift::itest::take_backend_flag(argc, argv);
    Catch::Session session;
    if (const int rc = session.applyCommandLine(argc, argv); rc != 0) return rc;
    if (!idshift::itest::only_listing(session.configData())) {
        if (const auto reason = idshift::itest::why_nothing_can_be_mounted()) {
            std::fprintf(stderr, "skipped: %s\n", reason->c_str());
            return idshift::itest::kSkipped;
        }
    }
    return session.run();
}

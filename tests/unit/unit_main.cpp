// The runner of every unit binary. Cases tagged [root] switch credentials or capabilities and mean
// nothing without root: asked to run only such cases as another user, the binary exits 77 (ctest's
// "skipped") and says why, so a skip is never counted as a pass. Run whole as another user, it runs
// every other case and names the ones it left out.
#define CATCH_CONFIG_RUNNER
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <vector>

namespace {

constexpr int kSkipped = 77;

bool only_listing(const Catch::ConfigData& config) {
    return config.listTests || config.listTestNamesOnly || config.listTags ||
           config.listReporters || config.showHelp;
}

bool needs_root(const Catch::TestCase& test) {
    return std::find(test.tags.begin(), test.tags.end(), "root") != test.tags.end();
}

}  // namespace

int main(int argc, char** argv) {
    Catch::Session session;
    if (const int rc = session.applyCommandLine(argc, argv); rc != 0) return rc;
    if (only_listing(session.configData()) || ::geteuid() == 0) return session.run();

    const auto& config = session.config();
    const auto selected =
        Catch::filterTests(Catch::getAllTestCasesSorted(config), config.testSpec(), config);
    const auto root_only = std::count_if(selected.begin(), selected.end(), needs_root);
    if (root_only == 0) return session.run();
    if (root_only == static_cast<long>(selected.size())) {
        std::fputs("skipped: this test case switches credentials and needs root\n", stderr);
        return kSkipped;
    }
    std::fprintf(stderr, "not root: leaving out %ld test case(s) tagged [root]\n",
                 static_cast<long>(root_only));
    std::vector<char*> args(argv, argv + argc);
    static char kNotRoot[] = "~[root]";
    if (config.testSpec().hasFilters()) {
        std::fputs("run the [root] cases as root, or select with ~[root]\n", stderr);
        return kSkipped;
    }
    args.push_back(kNotRoot);
    // Catch2 allows one session per process; parsing again replaces its configuration.
    if (const int rc = session.applyCommandLine(static_cast<int>(args.size()), args.data());
        rc != 0)
        return rc;
    return session.run();
}

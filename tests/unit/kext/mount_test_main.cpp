// The kext mount tests need root (to mount and to register backing files) and /dev/fuse. Without
// them the run stops with exit code 77, which CTest reports as skipped. A listener does it, so
// listing the tests (catch_discover_tests, at build time, as any user) still works: Catch calls
// testRunStarting only when tests are about to run.
#define CATCH_CONFIG_EXTERNAL_INTERFACES
#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>

namespace {

bool can_mount() {
    if (::geteuid() != 0) return false;
    const int fd = ::open("/dev/fuse", O_RDWR | O_CLOEXEC);
    if (fd < 0) return false;
    ::close(fd);
    return true;
}

class SkipWithoutFuse : public Catch::TestEventListenerBase {
  public:
    using TestEventListenerBase::TestEventListenerBase;

    void testRunStarting(const Catch::TestRunInfo& info) override {
        if (!can_mount()) {
            std::fputs("skipped: needs root and a usable /dev/fuse\n", stderr);
            std::exit(77);
        }
        TestEventListenerBase::testRunStarting(info);
    }
};

}  // namespace

CATCH_REGISTER_LISTENER(SkipWithoutFuse)

// Storage without file handles (overlayfs here; GlusterFS and sshfs too) makes every node the
// kernel holds keep an fd in the daemon. A tree with more names than the daemon may open fds must
// still be usable: the daemon asks the kernel to drop nodes nothing uses (FUSE_NOTIFY_PRUNE).
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

#include "support/files.hpp"
#include "support/mount_fixture.hpp"
#include "support/temp_dir.hpp"

using namespace idshift::itest;

namespace {

constexpr rlim_t kFdLimit = 1024;
constexpr int kFiles = 3000;  // nearly three times the daemon's fds

// An overlayfs on a temporary directory, unmounted at the end.
class Overlay {
  public:
    Overlay() : base_("idshift-fd-budget-") {
        for (const char* dir : {"lower", "upper", "work", "merged"})
            REQUIRE(::mkdir(base_.at(dir).c_str(), 0755) == 0);
        const std::string options = "lowerdir=" + base_.at("lower") +
                                    ",upperdir=" + base_.at("upper") +
                                    ",workdir=" + base_.at("work");
        INFO(std::strerror(errno));
        REQUIRE(::mount("overlay", merged().c_str(), "overlay", 0, options.c_str()) == 0);
    }
    ~Overlay() { ::umount2(merged().c_str(), MNT_DETACH); }
    std::string merged() const { return base_.at("merged"); }

  private:
    TempDir base_;
};

std::size_t open_fds(pid_t pid) {
    std::size_t count = 0;
    for ([[maybe_unused]] const auto& entry :
         std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd"))
        ++count;
    return count;
}

}  // namespace

TEST_CASE("fd budget: a tree with more names than the daemon has fds stays usable") {
    Overlay overlay;
    // The daemon inherits the limit (this process never needs more).
    const rlimit limit{kFdLimit, kFdLimit};
    REQUIRE(::setrlimit(RLIMIT_NOFILE, &limit) == 0);
    Mount mount(overlay.merged());
    REQUIRE_THAT(mount.log(), Catch::Contains("file handles no"));

    for (int i = 0; i < kFiles; ++i) {
        const std::string path = mount.at("f" + std::to_string(i));
        INFO(path);
        write_file(path, std::to_string(i));
    }
    int stat_failures = 0;
    for (int i = 0; i < kFiles; ++i) {
        struct stat st {};
        if (::stat(mount.at("f" + std::to_string(i)).c_str(), &st) != 0) ++stat_failures;
    }
    CHECK(stat_failures == 0);
    CHECK(list_dir(mount.path()).size() == static_cast<std::size_t>(kFiles));
    CHECK(read_file(mount.at("f2999")) == "2999");
    // Half the limit is where pruning starts; the daemon stays well below the limit.
    CHECK(open_fds(mount.daemon_pid()) < kFdLimit * 3 / 4);
    CHECK_THAT(mount.log(), Catch::Contains("asking the kernel to drop"));
}

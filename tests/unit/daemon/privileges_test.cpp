// drop_privileges runs in a forked child (capabilities are per thread and cannot come back), which
// reports what /proc/self/status shows afterwards.
#include <linux/capability.h>
#include <sys/wait.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <string>

#include "privileges.hpp"

using namespace idshift::daemon;

namespace {

std::uint64_t mask_of(const std::vector<cap_value_t>& caps) {
    std::uint64_t mask = 0;
    for (cap_value_t cap : caps)
        mask |= std::uint64_t{1} << cap;
    return mask;
}

std::string status_field(const std::string& key) {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(key + ":", 0) == 0) {
            const auto value = line.find_first_not_of(" \t", key.size() + 1);
            return line.substr(value);
        }
    }
    return "";
}

// Exit status of a child that drops privileges and checks the result: 0 when every set is as
// expected, a distinct code per mismatch.
int child_drop_and_check(const PrivilegeNeeds& needs) {
    const pid_t pid = ::fork();
    if (pid == 0) {
        try {
            drop_privileges(needs);
        } catch (...) {
            ::_exit(10);
        }
        const std::uint64_t expected = mask_of(capabilities_to_keep(needs));
        if (std::stoull(status_field("CapEff"), nullptr, 16) != expected) ::_exit(11);
        if (std::stoull(status_field("CapPrm"), nullptr, 16) != expected) ::_exit(12);
        if (std::stoull(status_field("CapInh"), nullptr, 16) != 0) ::_exit(13);
        if (std::stoull(status_field("CapBnd"), nullptr, 16) != expected) ::_exit(14);
        if (std::stoull(status_field("CapAmb"), nullptr, 16) != 0) ::_exit(15);
        if (status_field("NoNewPrivs") != "1") ::_exit(16);
        ::_exit(0);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

TEST_CASE("the kept capabilities are the ones the features need") {
    const auto base = capabilities_to_keep({});
    CHECK(base == std::vector<cap_value_t>{CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH,
                                           CAP_FOWNER, CAP_FSETID, CAP_SETGID, CAP_SETUID,
                                           CAP_SYS_ADMIN, CAP_SETFCAP});
    const auto with_dev = capabilities_to_keep({.device_nodes = true});
    CHECK(with_dev.size() == base.size() + 1);
    CHECK(std::find(with_dev.begin(), with_dev.end(), CAP_MKNOD) != with_dev.end());
    CHECK(std::find(base.begin(), base.end(), CAP_MKNOD) == base.end());
}

TEST_CASE("dropping privileges leaves exactly the kept set, everywhere, and no_new_privs",
          "[root]") {
    CHECK(child_drop_and_check({}) == 0);
    CHECK(child_drop_and_check({.device_nodes = true}) == 0);
}

#include "load.hpp"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "idshift/sys/unique_fd.hpp"
#include "outcome.hpp"

namespace idshift::robust {
namespace {

// One thread's cycle over its own names: nothing another thread does can make these fail.
bool cycle(const std::string& base, std::uint64_t round) {
    const std::string a = base + "-a";
    const std::string b = base + "-b";
    const std::string data = "round " + std::to_string(round) + "\n";
    {
        const sys::UniqueFd fd(::open(a.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0666));
        if (!fd ||
            ::write(fd.get(), data.data(), data.size()) != static_cast<ssize_t>(data.size())) {
            return false;
        }
    }
    struct stat st {};
    if (::stat(a.c_str(), &st) != 0 || st.st_size != static_cast<off_t>(data.size())) return false;
    if (::rename(a.c_str(), b.c_str()) != 0) return false;
    {
        const sys::UniqueFd fd(::open(b.c_str(), O_RDONLY | O_CLOEXEC));
        char buffer[64];
        if (!fd || ::read(fd.get(), buffer, sizeof buffer) != static_cast<ssize_t>(data.size())) {
            return false;
        }
    }
    return ::unlink(b.c_str()) == 0;
}

}  // namespace

pid_t start_load(const std::filesystem::path& dir, const Caller& caller, int threads,
                 LoadCounters& counters) {
    const pid_t pid = ::fork();
    if (pid != 0) return pid;
    if (!become(caller)) {
        counters.errors += 1;
        ::_exit(3);
    }
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&, t] {
            const std::string base =
                (dir / (std::string(caller.name) + "-" + std::to_string(t))).string();
            for (std::uint64_t round = 0; !counters.stop; ++round) {
                if (!cycle(base, round) && counters.errors.fetch_add(1) < 10) {
                    std::fprintf(stderr, "reload: %s thread %d failed: %s\n",
                                 std::string(caller.name).c_str(), t, errno_name(errno).c_str());
                }
                counters.ops += 1;
            }
        });
    }
    for (std::thread& worker : workers)
        worker.join();
    ::_exit(0);
}

}  // namespace idshift::robust

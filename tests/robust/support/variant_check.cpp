#include "variant_check.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "idshift/sys/unique_fd.hpp"
#include "outcome.hpp"

namespace idshift::robust {
namespace {

constexpr const char* kThroughDaemon = "data path: through the daemon (disabled by option)";
constexpr const char* kProbeName = ".variant-probe";

// The daemon logs its data path when the kernel's INIT is answered, which the first stat of the
// mount waited for; the line may still be on its way to the log file.
void expect_log_line(const std::function<std::string()>& log_text, const std::string& line) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (log_text().find(line) == std::string::npos) {
        if (std::chrono::steady_clock::now() >= deadline) {
            throw std::runtime_error("the daemon's log lacks \"" + line +
                                     "\": the variant is not in effect; its log:\n" + log_text());
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

off_t size_through(const std::filesystem::path& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        throw std::runtime_error("stat " + path.string() + ": " + errno_name(errno));
    }
    return st.st_size;
}

void expect_uncached_attributes(const std::filesystem::path& backing,
                                const std::filesystem::path& mountpoint) {
    const std::filesystem::path on_backing = backing / kProbeName;
    const std::filesystem::path on_mount = mountpoint / kProbeName;
    {
        const sys::UniqueFd fd(::open(on_backing.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
        if (!fd) throw std::runtime_error("create " + on_backing.string());
        const off_t before = size_through(on_mount);  // the kernel now holds its attributes
        if (::write(fd.get(), "x", 1) != 1)
            throw std::runtime_error("write " + on_backing.string());
        const off_t after = size_through(on_mount);
        if (before != 0 || after != 1) {
            throw std::runtime_error("cache=none not in effect: the mount read size " +
                                     std::to_string(before) + " then " + std::to_string(after) +
                                     " of a file grown from 0 to 1 byte on the backing directory");
        }
    }
    if (::unlink(on_backing.c_str()) != 0)
        throw std::runtime_error("unlink " + on_backing.string());
    struct stat st {};
    if (::stat(on_mount.c_str(), &st) == 0 || errno != ENOENT) {
        throw std::runtime_error("cache=none not in effect: " + on_mount.string() +
                                 " still found after its backing file was removed");
    }
}

}  // namespace

void verify_variant(const std::string& variant, const std::filesystem::path& backing,
                    const std::filesystem::path& mountpoint,
                    const std::function<std::string()>& log_text) {
    if (variant == "nopassthrough") expect_log_line(log_text, kThroughDaemon);
    if (variant == "nocache") expect_uncached_attributes(backing, mountpoint);
}

}  // namespace idshift::robust

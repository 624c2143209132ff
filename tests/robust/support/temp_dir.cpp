#include "temp_dir.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "mountinfo.hpp"
#include "outcome.hpp"

namespace idshift::robust {

TempDir::TempDir(std::string_view tag) {
    const char* base = std::getenv("TMPDIR");
    std::string templ = std::string(base != nullptr && *base != '\0' ? base : "/tmp") +
                        "/idshift-robust-" + std::string(tag) + "-XXXXXX";
    std::vector<char> buffer(templ.begin(), templ.end());
    buffer.push_back('\0');
    if (::mkdtemp(buffer.data()) == nullptr) {
        throw std::runtime_error("mkdtemp " + templ + ": " + errno_name(errno));
    }
    path_ = buffer.data();
    // Callers switched to other uids must be able to reach the directories inside.
    ::chmod(path_.c_str(), 0755);
}

TempDir::~TempDir() {
    if (has_mount_below(path_)) {
        std::fprintf(stderr, "leaving %s: a mount is still active below it\n", path_.c_str());
        return;
    }
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

std::filesystem::path TempDir::make_dir(std::string_view name, mode_t mode) const {
    const std::filesystem::path dir = path_ / name;
    if (::mkdir(dir.c_str(), mode) != 0 || ::chmod(dir.c_str(), mode) != 0) {
        throw std::runtime_error("mkdir " + dir.string() + ": " + errno_name(errno));
    }
    return dir;
}

}  // namespace idshift::robust

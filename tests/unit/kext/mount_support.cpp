#include "mount_support.hpp"

#include <linux/capability.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "idshift/sys/caps.hpp"

namespace idshift::fusell::kext::test {

Scratch::Scratch() {
    std::string templ = std::filesystem::temp_directory_path() / "idshift-kext.XXXXXX";
    if (::mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    root_ = templ;
    ::chmod(root_.c_str(), 0755);
    for (const std::string& dir : {backing(), mnt()}) {
        if (::mkdir(dir.c_str(), 0755) != 0) throw std::runtime_error("mkdir " + dir);
    }
}

Scratch::~Scratch() {
    std::error_code ignored;
    std::filesystem::remove_all(root_, ignored);
}

std::string Scratch::backing(const std::string& name) const {
    return root_ + "/backing/" + name;
}
std::string Scratch::mnt(const std::string& name) const {
    return root_ + "/mnt/" + name;
}

std::vector<char> pattern(std::size_t size, std::uint32_t seed) {
    std::vector<char> bytes(size);
    std::uint32_t x = seed * 2654435761U + 1;
    for (char& byte : bytes) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        byte = static_cast<char>(x);
    }
    return bytes;
}

std::vector<char> read_file(const std::string& path) {
    const Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) throw std::runtime_error("open " + path);
    std::vector<char> content;
    char buf[65536];
    for (;;) {
        const ssize_t got = ::read(fd.get(), buf, sizeof(buf));
        if (got < 0) throw std::runtime_error("read " + path);
        if (got == 0) return content;
        content.insert(content.end(), buf, buf + got);
    }
}

void write_file(const std::string& path, const std::vector<char>& content, mode_t mode) {
    const Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (fd.get() < 0) throw std::runtime_error("create " + path);
    std::size_t done = 0;
    while (done < content.size()) {
        const ssize_t n = ::write(fd.get(), content.data() + done, content.size() - done);
        if (n <= 0) throw std::runtime_error("write " + path);
        done += static_cast<std::size_t>(n);
    }
    if (::fchmod(fd.get(), mode) != 0) throw std::runtime_error("chmod " + path);
}

mode_t mode_of(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) throw std::runtime_error("stat " + path);
    return st.st_mode;
}

bool drop_cap_sys_admin() noexcept {
    auto caps = sys::Caps::of_this_thread();
    if (!caps) return false;
    caps->drop_effective(CAP_SYS_ADMIN);
    return caps->apply_to_this_thread() == 0;
}

}  // namespace idshift::fusell::kext::test

#include "idshift/kernel/user_namespace.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace idshift::kernel {
namespace {

// Writes all of `text` to a /proc map file in one write(2), as the kernel requires; returns 0 or
// an errno value.
int write_map(const std::string& path, const std::string& text) {
    const sys::UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd) return errno;
    const ssize_t written = ::write(fd.get(), text.data(), text.size());
    if (written < 0) return errno;
    return written == static_cast<ssize_t>(text.size()) ? 0 : EIO;
}

struct Pipe {
    sys::UniqueFd read;
    sys::UniqueFd write;
};

std::variant<Pipe, Failure> make_pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return Failure{errno, "pipe2"};
    return Pipe{sys::UniqueFd(fds[0]), sys::UniqueFd(fds[1])};
}

// The child's whole life: unshare, report, wait for the parent to finish (EOF on `release`).
[[noreturn]] void namespace_child(Pipe& ready, Pipe& release) {
    release.write.reset();
    ready.read.reset();
    const char status = ::unshare(CLONE_NEWUSER) == 0 ? 0 : static_cast<char>(errno);
    [[maybe_unused]] const ssize_t sent = ::write(ready.write.get(), &status, 1);
    char byte;
    [[maybe_unused]] const ssize_t got = ::read(release.read.get(), &byte, 1);
    ::_exit(0);
}

void reap(pid_t child) {
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
}

// With the child waiting in its new namespace: writes the maps and opens the namespace.
std::variant<sys::UniqueFd, Failure> fill_namespace(pid_t child, const UsernsMaps& maps) {
    const std::string proc = "/proc/" + std::to_string(child) + "/";
    if (const int e = write_map(proc + "uid_map", maps.uid_map))
        return Failure{e, "writing uid_map"};
    if (const int e = write_map(proc + "gid_map", maps.gid_map))
        return Failure{e, "writing gid_map"};
    sys::UniqueFd ns(::open((proc + "ns/user").c_str(), O_RDONLY | O_CLOEXEC));
    if (!ns) return Failure{errno, "opening " + proc + "ns/user"};
    return ns;
}

}  // namespace

std::variant<sys::UniqueFd, Failure> make_user_namespace(const UsernsMaps& maps) {
    auto ready = make_pipe();
    if (auto* f = std::get_if<Failure>(&ready)) return *f;
    auto release = make_pipe();
    if (auto* f = std::get_if<Failure>(&release)) return *f;
    Pipe& ready_pipe = std::get<Pipe>(ready);
    Pipe& release_pipe = std::get<Pipe>(release);

    const pid_t child = ::fork();
    if (child < 0) return Failure{errno, "fork"};
    if (child == 0) namespace_child(ready_pipe, release_pipe);
    ready_pipe.write.reset();
    release_pipe.read.reset();

    std::variant<sys::UniqueFd, Failure> result = Failure{EIO, "waiting for the namespace child"};
    char status = 0;
    if (::read(ready_pipe.read.get(), &status, 1) == 1) {
        result =
            status != 0
                ? std::variant<sys::UniqueFd, Failure>(Failure{status, "unshare(CLONE_NEWUSER)"})
                : fill_namespace(child, maps);
    }
    release_pipe.write.reset();  // EOF: the child exits
    reap(child);
    return result;
}

}  // namespace idshift::kernel

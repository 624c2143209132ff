// idshift-e2e-idmapped-bind SOURCE TARGET MAPPING...
//
// Attaches an idmapped bind mount of SOURCE at TARGET, the way container runtimes do it:
// open_tree(OPEN_TREE_CLONE), mount_setattr(MOUNT_ATTR_IDMAP) with a user namespace made for
// the purpose, move_mount. MAPPING is u:FILE:SHOWN:COUNT or g:FILE:SHOWN:COUNT: an id FILE on
// SOURCE shows as SHOWN on TARGET (these are the namespace's uid_map/gid_map lines, inside
// first). Exits 0 when the mount is attached, 2 on bad usage, 3 when the user namespace cannot be
// made, and 4 when a mount call fails; the message names the call and its errno.
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "idshift/sys/unique_fd.hpp"

namespace {

using idshift::sys::UniqueFd;

struct Mapping {
    char kind;  // 'u' or 'g'
    unsigned long file_first;
    unsigned long shown_first;
    unsigned long count;
};

std::optional<unsigned long> parse_number(std::string_view text) {
    unsigned long value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) return std::nullopt;
    return value;
}

// "u:FILE:SHOWN:COUNT" or "g:FILE:SHOWN:COUNT".
std::optional<Mapping> parse_mapping(std::string_view text) {
    if (text.size() < 2 || (text[0] != 'u' && text[0] != 'g') || text[1] != ':') {
        return std::nullopt;
    }
    const char kind = text[0];
    text.remove_prefix(2);
    unsigned long numbers[3];
    for (int field = 0; field < 3; ++field) {
        const auto colon = text.find(':');
        const bool last = field == 2;
        if ((colon == std::string_view::npos) != last) return std::nullopt;
        const auto parsed = parse_number(text.substr(0, colon));
        if (!parsed) return std::nullopt;
        numbers[field] = *parsed;
        if (!last) text.remove_prefix(colon + 1);
    }
    return Mapping{kind, numbers[0], numbers[1], numbers[2]};
}

int report(const char* what, int error) {
    std::fprintf(stderr, "idmapped-bind: %s: %s (%s)\n", what, strerrorname_np(error),
                 std::strerror(error));
    return error;
}

// Writes the whole of `text` to a /proc map file; returns 0 or an errno value.
int write_file(const std::string& path, const std::string& text) {
    const UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd) return errno;
    const ssize_t written = ::write(fd.get(), text.data(), text.size());
    if (written < 0) return errno;
    return written == static_cast<ssize_t>(text.size()) ? 0 : EIO;
}

std::string map_text(const std::vector<Mapping>& mappings, char kind) {
    std::string text;
    for (const Mapping& m : mappings) {
        if (m.kind != kind) continue;
        text += std::to_string(m.file_first) + ' ' + std::to_string(m.shown_first) + ' ' +
                std::to_string(m.count) + '\n';
    }
    return text;
}

// A user namespace carrying `mappings`, held by the returned fd. A child process creates it and
// waits; this process (root in the parent namespace) writes its maps, opens it, and lets the
// child go. Returns an invalid fd after reporting the failing step.
UniqueFd make_userns(const std::vector<Mapping>& mappings) {
    int ready[2];
    int release[2];
    if (::pipe2(ready, O_CLOEXEC) != 0 || ::pipe2(release, O_CLOEXEC) != 0) {
        report("pipe2", errno);
        return {};
    }
    UniqueFd ready_read(ready[0]), ready_write(ready[1]);
    UniqueFd release_read(release[0]), release_write(release[1]);

    const pid_t child = ::fork();
    if (child < 0) {
        report("fork", errno);
        return {};
    }
    if (child == 0) {
        release_write.reset();
        const char status = ::unshare(CLONE_NEWUSER) == 0 ? 0 : static_cast<char>(errno);
        (void)!::write(ready_write.get(), &status, 1);
        char byte;
        (void)!::read(release_read.get(), &byte, 1);  // returns at EOF, when the parent is done
        ::_exit(0);
    }
    ready_write.reset();
    release_read.reset();

    UniqueFd userns;
    char status = 0;
    if (::read(ready_read.get(), &status, 1) != 1) {
        report("waiting for the namespace child", EIO);
    } else if (status != 0) {
        report("unshare(CLONE_NEWUSER)", status);
    } else {
        const std::string proc = "/proc/" + std::to_string(child) + '/';
        if (int error = write_file(proc + "uid_map", map_text(mappings, 'u')); error != 0) {
            report("writing uid_map", error);
        } else if (error = write_file(proc + "gid_map", map_text(mappings, 'g')); error != 0) {
            report("writing gid_map", error);
        } else {
            userns.reset(::open((proc + "ns/user").c_str(), O_RDONLY | O_CLOEXEC));
            if (!userns) report("opening ns/user", errno);
        }
    }
    release_write.reset();
    int wstatus = 0;
    ::waitpid(child, &wstatus, 0);
    return userns;
}

int attach_idmapped(const char* source, const char* target, int userns_fd) {
    const UniqueFd tree(::open_tree(AT_FDCWD, source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC));
    if (!tree) return report("open_tree(OPEN_TREE_CLONE)", errno);
    mount_attr attr{};
    attr.attr_set = MOUNT_ATTR_IDMAP;
    attr.userns_fd = static_cast<__u64>(userns_fd);
    if (::mount_setattr(tree.get(), "", AT_EMPTY_PATH, &attr, sizeof attr) != 0) {
        return report("mount_setattr(MOUNT_ATTR_IDMAP)", errno);
    }
    if (::move_mount(tree.get(), "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) != 0) {
        return report("move_mount", errno);
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<Mapping> mappings;
    for (int i = 3; i < argc; ++i) {
        const auto mapping = parse_mapping(argv[i]);
        if (!mapping) {
            std::fprintf(stderr, "idmapped-bind: bad mapping '%s'\n", argv[i]);
            return 2;
        }
        mappings.push_back(*mapping);
    }
    if (argc < 4) {
        std::fputs("usage: idshift-e2e-idmapped-bind SOURCE TARGET u|g:FILE:SHOWN:COUNT...\n",
                   stderr);
        return 2;
    }
    const UniqueFd userns = make_userns(mappings);
    if (!userns) return 3;
    return attach_idmapped(argv[1], argv[2], userns.get()) == 0 ? 0 : 4;
}

// `idshift map --from-userns PID`: prints a map that shifts storage ids into the user namespace
// of a running process, read from /proc/PID/uid_map and gid_map.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <climits>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "idshift/idmap/userns_map.hpp"
#include "subcommands.hpp"

namespace idshift::daemon {
namespace {

constexpr std::string_view kUsage =
    "usage: idshift map --from-userns PID\n"
    "       idshift map --from-image ROOTFS ...   (see idshift map --from-image x --help)\n"
    "\n"
    "Prints an id map for a container running in a user namespace: the host ids its processes\n"
    "have (as idshift sees them) become the mount side, and the ids inside the namespace the\n"
    "storage side, so the container's root stores files as uid 0 and the volume looks the same\n"
    "as one the container owns outright. Save the output and pass it with -o map=FILE.\n"
    "\n"
    "Exit status: 0 map printed; 1 the process or its maps cannot be read; 2 bad usage.\n";

void print(std::FILE* stream, std::string_view text) {
    std::fwrite(text.data(), 1, text.size(), stream);
}

int usage_error(const std::string& message) {
    print(stderr, "idshift map: " + message + "\nTry 'idshift map --help'.\n");
    return 2;
}

std::optional<int> parse_pid(std::string_view text) {
    int pid = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), pid);
    if (ec != std::errc{} || end != text.data() + text.size() || pid <= 0) return std::nullopt;
    return pid;
}

// The whole text of a /proc file (which reports size 0, so it is read to EOF), or the errno.
std::optional<std::string> read_proc_file(const std::string& path, int& err) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        err = errno;
        return std::nullopt;
    }
    std::string text;
    char buffer[4096];
    ssize_t n = 0;
    while ((n = ::read(fd, buffer, sizeof buffer)) > 0 || (n < 0 && errno == EINTR)) {
        if (n > 0) text.append(buffer, static_cast<std::size_t>(n));
    }
    err = n < 0 ? errno : 0;
    ::close(fd);  // read-only: nothing to lose
    if (n < 0) return std::nullopt;
    return text;
}

// Reads and parses one of PID's id maps; prints why on failure.
std::optional<std::vector<idmap::RuleExtent>> id_map_of(int pid, std::string_view which) {
    const std::string path = "/proc/" + std::to_string(pid) + "/" + std::string(which);
    int err = 0;
    const auto text = read_proc_file(path, err);
    if (!text) {
        std::string message =
            "idshift map: cannot read " + path + ": " + std::generic_category().message(err);
        if (err == ENOENT) message += " (no process " + std::to_string(pid) + "?)";
        print(stderr, message + "\n");
        return std::nullopt;
    }
    idmap::ParseErrors errors;
    auto extents = idmap::parse_proc_id_map(*text, path, errors);
    for (const idmap::ParseError& error : errors)
        print(stderr, error.to_string() + "\n");
    if (!errors.empty()) return std::nullopt;
    return extents;
}

}  // namespace

int run_map(std::span<char* const> args) {
    for (const char* arg : args) {
        if (std::string_view(arg) == "--from-image") return run_map_from_image(args);
    }
    std::optional<int> pid;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view arg = args[i];
        if (arg == "-h" || arg == "--help") {
            print(stdout, kUsage);
            return 0;
        }
        if (arg != "--from-userns")
            return usage_error("unknown argument '" + std::string(arg) + "'");
        if (i + 1 == args.size()) return usage_error("--from-userns needs a PID");
        pid = parse_pid(args[++i]);
        if (!pid) return usage_error("'" + std::string(args[i]) + "' is not a process id");
    }
    if (!pid) return usage_error("nothing to do: give --from-userns PID");

    const auto uids = id_map_of(*pid, "uid_map");
    if (!uids) return 1;
    const auto gids = id_map_of(*pid, "gid_map");
    if (!gids) return 1;
    print(stdout, idmap::render_userns_map(*pid, *uids, *gids));
    return 0;
}

}  // namespace idshift::daemon

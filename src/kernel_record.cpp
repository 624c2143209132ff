#include "kernel_record.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "stats_server.hpp"

namespace idshift::daemon {
namespace {

// The flags as words, one per true field, in a fixed order.
std::string flag_words(const kernel::MountFlags& f) {
    std::string words;
    const auto add = [&words](bool on, const char* word) {
        if (!on) return;
        if (!words.empty()) words += ' ';
        words += word;
    };
    add(f.read_only, "ro");
    add(f.nosuid, "nosuid");
    add(f.nodev, "nodev");
    add(f.noexec, "noexec");
    add(f.noatime, "noatime");
    add(f.nodiratime, "nodiratime");
    add(f.strictatime, "strictatime");
    return words;
}

kernel::MountFlags parse_flags(std::istringstream& words) {
    kernel::MountFlags f{};
    f.nosuid = f.nodev = false;
    for (std::string word; words >> word;) {
        if (word == "ro") f.read_only = true;
        if (word == "nosuid") f.nosuid = true;
        if (word == "nodev") f.nodev = true;
        if (word == "noexec") f.noexec = true;
        if (word == "noatime") f.noatime = true;
        if (word == "nodiratime") f.nodiratime = true;
        if (word == "strictatime") f.strictatime = true;
    }
    return f;
}

std::string rest_of(std::istringstream& line) {
    std::string rest;
    std::getline(line >> std::ws, rest);
    return rest;
}

std::optional<KernelRecord> parse_file(const std::string& path);

// Whether `record` still names the mount on its mountpoint.
bool live(const KernelRecord& record) {
    const std::optional<std::uint64_t> id = kernel::unique_mount_id(record.mountpoint);
    return id && *id == record.mount_id;
}

// Removes every record in the directory whose mount is gone.
void prune_stale_records() {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(kStatsSocketDir, ec)) {
        if (entry.path().extension() != ".kernel") continue;
        const std::optional<KernelRecord> record = parse_file(entry.path());
        if (record && !record->mountpoint.empty() && !live(*record))
            std::filesystem::remove(entry.path(), ec);
    }
}

std::optional<KernelRecord> parse(std::istream& in) {
    KernelRecord record;
    bool have_id = false;
    for (std::string text; std::getline(in, text);) {
        std::istringstream line(text);
        std::string key;
        line >> key;
        if (key == "mount-id") {
            const std::string value = rest_of(line);
            const auto [end, ec] =
                std::from_chars(value.data(), value.data() + value.size(), record.mount_id);
            have_id = ec == std::errc{} && end == value.data() + value.size();
        } else if (key == "mountpoint") {
            record.mountpoint = rest_of(line);
        } else if (key == "source") {
            record.source = rest_of(line);
        } else if (key == "map") {
            record.map_file = rest_of(line);
        } else if (key == "uidmap") {
            record.uidmap = rest_of(line);
        } else if (key == "gidmap") {
            record.gidmap = rest_of(line);
        } else if (key == "flags") {
            record.flags = parse_flags(line);
        }
    }
    if (!have_id || record.source.empty()) return std::nullopt;
    return record;
}

std::optional<KernelRecord> parse_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) return std::nullopt;
    return parse(in);
}

}  // namespace

std::string kernel_record_path(const std::string& mountpoint) {
    return std::string(kStatsSocketDir) + "/" + escape_path(resolve_mountpoint(mountpoint)) +
           ".kernel";
}

void write_kernel_record(const std::string& mountpoint, const KernelRecord& record) {
    const std::string path = kernel_record_path(mountpoint);
    if (::mkdir(std::string(kStatsSocketDir).c_str(), 0700) != 0 && errno != EEXIST)
        throw std::system_error(errno, std::generic_category(),
                                "mkdir " + std::string(kStatsSocketDir));
    const std::string next = path + ".next";
    {
        std::ofstream out(next, std::ios::trunc);
        out << "mount-id " << record.mount_id << "\nmountpoint " << resolve_mountpoint(mountpoint)
            << "\nsource " << record.source << "\n";
        if (!record.map_file.empty()) out << "map " << record.map_file << "\n";
        if (!record.uidmap.empty()) out << "uidmap " << record.uidmap << "\n";
        if (!record.gidmap.empty()) out << "gidmap " << record.gidmap << "\n";
        out << "flags " << flag_words(record.flags) << "\n";
        out.flush();
        if (!out) throw std::system_error(EIO, std::generic_category(), "writing " + next);
    }
    if (::rename(next.c_str(), path.c_str()) != 0)
        throw std::system_error(errno, std::generic_category(), "rename " + next);
    prune_stale_records();
}

std::optional<KernelRecord> find_kernel_record(const std::string& mountpoint) {
    std::optional<KernelRecord> record = parse_file(kernel_record_path(mountpoint));
    if (!record) return std::nullopt;
    record->mountpoint = resolve_mountpoint(mountpoint);
    if (!live(*record)) return std::nullopt;
    return record;
}

}  // namespace idshift::daemon

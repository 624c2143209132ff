#pragma once
// Reading the small text files a map refers to (the map itself, passwd and group files).
#include <optional>
#include <string>

namespace idshift::idmap {

// Larger than any sane map or user database; keeps a map naming /proc/kcore from eating memory.
inline constexpr std::size_t kMaxTextFileSize = 16 * 1024 * 1024;

struct TextFile {
    std::optional<std::string> text;
    std::string error;  // why it could not be read, e.g. "No such file or directory"
};

// Reads a regular file whole. Devices, fifos and directories are refused without reading, so a
// map naming /dev/stdin cannot block the daemon.
TextFile read_text_file(const std::string& path);

// `path` as written in `referrer` (a map file): absolute paths stay, relative ones are taken
// from the referrer's directory.
std::string resolve_beside(const std::string& referrer, const std::string& path);

}  // namespace idshift::idmap

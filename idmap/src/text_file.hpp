#pragma once
// Reading the small text files a map refers to (the map itself, passwd and group files).
#include <sys/stat.h>

#include <optional>
#include <string>

#include "idshift/idmap/map_file_trust.hpp"

namespace idshift::idmap {

// Larger than any sane map or user database; keeps a map naming /proc/kcore from eating memory.
inline constexpr std::size_t kMaxTextFileSize = 16 * 1024 * 1024;

struct TextFile {
    std::optional<std::string> text;
    std::string error;       // why it could not be read, e.g. "No such file or directory"
    bool untrusted = false;  // read, but refused: someone other than root could have written it
};

// Reads a regular file whole. Devices, fifos and directories are refused without reading, so a
// map naming /dev/stdin cannot block the daemon. With FileTrust::checked a file that anyone but
// root (or this process's user) could have written is refused too (see untrusted_because).
TextFile read_text_file(const std::string& path, FileTrust trust);

// Why a file with status `st` at `path` is not to be trusted as a map or user database, or
// nothing: it is owned by someone other than root or this process's user, or writable by its
// group or others; or a directory above it is, unless that directory is sticky (like /tmp).
// Whoever can edit a map decides who is storage root, so this is the test sshd's StrictModes
// makes of authorized_keys.
std::optional<std::string> untrusted_because(const std::string& path, const struct stat& st);

// `path` as written in `referrer` (a map file): absolute paths stay, relative ones are taken
// from the referrer's directory.
std::string resolve_beside(const std::string& referrer, const std::string& path);

}  // namespace idshift::idmap

#pragma once
// passwd(5) / group(5) text databases, parsed from text only (never through NSS) so tests are
// hermetic and a container image's files can be read without chroot.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "idshift/idmap/map_file_trust.hpp"
#include "idshift/idmap/parse_error.hpp"

namespace idshift::idmap {

struct NameEntry {
    std::string name;
    std::uint32_t id = 0;
    int line = 0;
};

class NameDb {
  public:
    // Parses passwd(5) or group(5) text: name:x:id:... (the third field is the id).
    // Blank lines and lines starting with '#' are skipped; lines starting with '+' or '-' (NIS
    // compat) are skipped. A line with fewer than 3 fields or a bad id is an error; a name defined
    // twice is an error naming both lines. Errors are appended to `errors` with `file` and line.
    static NameDb parse(std::string_view text, const std::string& file, ParseErrors& errors);
    // Reads and parses a file. An unreadable file appends "FILE: cannot read: <strerror>" with the
    // given referring file/line (the map line that named it).
    // With FileTrust::checked a file others could have written is refused the same way, naming it
    // and the fix.
    static std::optional<NameDb> load(const std::string& path, const std::string& referrer_file,
                                      int referrer_line, FileTrust trust, ParseErrors& errors);

    std::optional<std::uint32_t> id_of(std::string_view name) const noexcept;
    const std::vector<NameEntry>& entries() const noexcept { return entries_; }
    const std::string& file() const noexcept { return file_; }

  private:
    std::string file_;
    std::vector<NameEntry> entries_;  // in file order
};

}  // namespace idshift::idmap

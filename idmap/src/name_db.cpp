#include "idshift/idmap/name_db.hpp"

#include <unordered_map>

#include "decimal.hpp"
#include "text_file.hpp"

namespace idshift::idmap {
namespace {

// The first `max` ':'-separated fields of a line (the rest is not needed: passwd has 7, group 4).
std::vector<std::string_view> leading_fields(std::string_view line, std::size_t max) {
    std::vector<std::string_view> fields;
    while (fields.size() < max) {
        const std::size_t colon = line.find(':');
        fields.push_back(line.substr(0, colon));
        if (colon == std::string_view::npos) break;
        line.remove_prefix(colon + 1);
    }
    return fields;
}

bool skipped_line(std::string_view line) {
    // '+' / '-' lines are NIS compat entries: they name no local id.
    return line.empty() || line.front() == '#' || line.front() == '+' || line.front() == '-';
}

}  // namespace

NameDb NameDb::parse(std::string_view text, const std::string& file, ParseErrors& errors) {
    NameDb db;
    db.file_ = file;
    std::unordered_map<std::string_view, int> first_line;  // views into `text`
    int line_no = 0;
    while (!text.empty()) {
        ++line_no;
        const std::size_t newline = text.find('\n');
        std::string_view line = text.substr(0, newline);
        text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (skipped_line(line)) continue;

        const std::vector<std::string_view> fields = leading_fields(line, 3);
        if (fields.size() < 3) {
            errors.push_back({file, line_no,
                              "expected NAME:PASSWORD:ID:..., but the line has " +
                                  std::to_string(fields.size()) + " field" +
                                  (fields.size() == 1 ? "" : "s")});
            continue;
        }
        if (fields[0].empty()) {
            errors.push_back({file, line_no, "the name (first field) is empty"});
            continue;
        }
        const NumberOrError id = read_id(fields[2], "id");
        if (!id.value) {
            errors.push_back({file, line_no, "'" + std::string(fields[0]) + "': " + id.error});
            continue;
        }
        const auto [previous, inserted] = first_line.emplace(fields[0], line_no);
        if (!inserted) {
            errors.push_back({file, line_no,
                              "'" + std::string(fields[0]) + "' is defined twice (first at line " +
                                  std::to_string(previous->second) + ")"});
            continue;
        }
        db.entries_.push_back({std::string(fields[0]), *id.value, line_no});
    }
    return db;
}

std::optional<NameDb> NameDb::load(const std::string& path, const std::string& referrer_file,
                                   int referrer_line, FileTrust trust, ParseErrors& errors) {
    const TextFile file = read_text_file(path, trust);
    if (file.untrusted) {
        errors.push_back({referrer_file, referrer_line, path + ": " + file.error});
        return std::nullopt;
    }
    if (!file.text) {
        errors.push_back({referrer_file, referrer_line, path + ": cannot read: " + file.error});
        return std::nullopt;
    }
    return parse(*file.text, path, errors);
}

std::optional<std::uint32_t> NameDb::id_of(std::string_view name) const noexcept {
    for (const NameEntry& entry : entries_) {
        if (entry.name == name) return entry.id;
    }
    return std::nullopt;
}

}  // namespace idshift::idmap

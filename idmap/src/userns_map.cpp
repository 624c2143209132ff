#include "idshift/idmap/userns_map.hpp"

#include "decimal.hpp"
#include "idshift/idmap/ids.hpp"
#include "words.hpp"

namespace idshift::idmap {
namespace {

void render_kind(std::string& text, std::string_view keyword,
                 const std::vector<RuleExtent>& extents) {
    for (const RuleExtent& e : extents) {
        // Parsed extents hold inside ids as mount_first; the map's mount side is the outside.
        text += std::string(keyword) + " " + std::to_string(e.storage_first) + " " +
                std::to_string(e.mount_first) + " " + std::to_string(e.count) + "\n";
    }
}

}  // namespace

std::vector<RuleExtent> parse_proc_id_map(std::string_view text, const std::string& file,
                                          ParseErrors& errors) {
    std::vector<RuleExtent> extents;
    int line_no = 0;
    while (!text.empty()) {
        ++line_no;
        const std::size_t newline = text.find('\n');
        const std::vector<std::string_view> fields = split_words(text.substr(0, newline));
        text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
        if (fields.empty()) continue;
        if (fields.size() != 3) {
            errors.push_back({file, line_no,
                              "expected 'INSIDE OUTSIDE COUNT', but the line has " +
                                  std::to_string(fields.size()) + " field" +
                                  (fields.size() == 1 ? "" : "s")});
            continue;
        }
        const NumberOrError inside = read_id(fields[0], "inside id");
        const NumberOrError outside = read_id(fields[1], "outside id");
        const NumberOrError count = read_count(fields[2], "count");
        bool ok = true;
        for (const NumberOrError* number : {&inside, &outside, &count}) {
            if (!number->value) {
                errors.push_back({file, line_no, number->error});
                ok = false;
            }
        }
        if (!ok) continue;
        const std::uint32_t highest_first = std::max(*inside.value, *outside.value);
        if (*count.value - 1 > kMaxId - highest_first) {
            errors.push_back({file, line_no,
                              "range of " + std::to_string(*count.value) + " ids from " +
                                  std::to_string(highest_first) +
                                  " runs past 4294967294 (the largest valid id)"});
            continue;
        }
        extents.push_back({*inside.value, *outside.value, *count.value});
    }
    return extents;
}

std::string render_userns_map(int pid, const std::vector<RuleExtent>& uid_map,
                              const std::vector<RuleExtent>& gid_map) {
    const std::string p = std::to_string(pid);
    std::string text =
        "# idshift map for the user namespace of process " + p + ", from /proc/" + p +
        "/uid_map and gid_map.\n"
        "# Mount side: the host ids the kernel presents for the namespace's processes (outside).\n"
        "# Storage side: the ids as the namespace sees them (inside), so the container's root\n"
        "# stores files as storage uid 0, as it would on a volume of its own.\n";
    render_kind(text, "uid", uid_map);
    render_kind(text, "gid", gid_map);
    text +=
        "unmapped-read  65534   # storage ids outside the namespace's range read as nobody\n"
        "unmapped-write deny    # ids outside it cannot be written (EOVERFLOW)\n";
    return text;
}

}  // namespace idshift::idmap

#include "id_table.hpp"

#include <utility>

namespace idshift::robust {
namespace {

// The subtraction form cannot wrap at 2^32, unlike `id < first + count`.
std::uint32_t translate(const std::vector<IdRange>& ranges, std::uint32_t id, bool to_storage,
                        std::uint32_t fallback) {
    for (const IdRange& range : ranges) {
        const std::uint32_t from = to_storage ? range.mount_first : range.storage_first;
        const std::uint32_t to = to_storage ? range.storage_first : range.mount_first;
        if (id >= from && id - from < range.count) return to + (id - from);
    }
    return fallback;
}

void append_rules(std::string& text, const char* kind, const std::vector<IdRange>& ranges) {
    for (const IdRange& range : ranges) {
        text += kind;
        text += ' ' + std::to_string(range.mount_first) + ' ' +
                std::to_string(range.storage_first) + ' ' + std::to_string(range.count) + '\n';
    }
}

// The handful of ids the suites act as; bindfs needs each spelled out.
constexpr std::uint32_t kBindfsIds[] = {1000, 1001, 1002, 1003, 1099};

}  // namespace

IdTable::IdTable(std::vector<IdRange> uids, std::vector<IdRange> gids)
    : uids_(std::move(uids)), gids_(std::move(gids)) {}

IdTable IdTable::standard() {
    std::vector<IdRange> ranges{{0, 0, 1}, {1000, 2000, 100}};
    return IdTable(ranges, ranges);
}

IdTable IdTable::shifted_to_3000() {
    std::vector<IdRange> ranges{{0, 0, 1}, {1000, 3000, 100}};
    return IdTable(ranges, ranges);
}

IdTable IdTable::identity() {
    IdTable table({}, {});
    table.identity_ = true;
    return table;
}

Owner IdTable::to_storage(Owner mount_side) const {
    if (identity_) return mount_side;
    return Owner{translate(uids_, mount_side.uid, true, kUnmapped),
                 translate(gids_, mount_side.gid, true, kUnmapped)};
}

Owner IdTable::to_mount(Owner storage_side) const {
    if (identity_) return storage_side;
    return Owner{translate(uids_, storage_side.uid, false, kOverflowId),
                 translate(gids_, storage_side.gid, false, kOverflowId)};
}

std::string IdTable::map_file_text() const {
    std::string text = "# written by the robustness suites\n";
    append_rules(text, "uid", uids_);
    append_rules(text, "gid", gids_);
    text += "unmapped-read 65534\nunmapped-write deny\n";
    return text;
}

std::string IdTable::bindfs_map_argument() const {
    // bindfs maps "storage/shown"; ids it is not told about pass through unchanged.
    std::string users;
    std::string groups;
    for (const std::uint32_t id : kBindfsIds) {
        const Owner storage = to_storage(Owner{id, id});
        if (storage.uid == id) continue;
        if (!users.empty()) users += ':';
        users += std::to_string(storage.uid) + '/' + std::to_string(id);
        groups += ":@" + std::to_string(storage.gid) + "/@" + std::to_string(id);
    }
    return users.empty() ? std::string() : "--map=" + users + groups;
}

}  // namespace idshift::robust

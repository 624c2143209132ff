#include "map_names.hpp"

#include <unordered_map>

#include "decimal.hpp"

namespace idshift::idmap {
namespace {

// A name written as a number is an id and needs no database.
bool looks_numeric(const std::string& name) {
    if (name == "-1") return true;
    return !name.empty() && name.find_first_not_of("0123456789") == std::string::npos;
}

std::string quote(const std::string& name) {
    return "'" + name + "'";
}

// The words messages use for each kind.
struct KindWords {
    const char* entry;     // "user"
    const char* id;        // "uid"
    const char* database;  // "passwd"
};

KindWords words(Kind kind) {
    return kind == Kind::uid ? KindWords{"user", "uid", "passwd"}
                             : KindWords{"group", "gid", "group"};
}

}  // namespace

MapNames::MapNames(const MapSpec& spec, const std::string& file, const NameResolver& storage_names,
                   FileTrust trust, ParseErrors& errors)
    : file_(file), resolver_(storage_names), errors_(errors) {
    const auto load = [&](Database& target, const DatabaseDecl& decl) {
        target.decl = &decl;
        if (decl.declared()) target.db = NameDb::load(decl.path, file, decl.line, trust, errors);
    };
    load(passwd_, spec.passwd);
    load(group_, spec.group);
    load(storage_passwd_, spec.storage_passwd);
    load(storage_group_, spec.storage_group);
}

void MapNames::error(std::string message) {
    errors_.push_back({file_, line_, std::move(message)});
}

std::optional<std::uint32_t> MapNames::mount_id(Kind kind, const std::string& name, bool bare) {
    const KindWords w = words(kind);
    if (looks_numeric(name)) {
        NumberOrError id = read_id(name, std::string("mount ") + w.id);
        if (!id.value) error(std::move(id.error));
        return id.value;
    }
    const Database& database = kind == Kind::uid ? passwd_ : group_;
    if (!database.decl->declared()) {
        std::string message = std::string(w.entry) + " " + quote(name) + ": no " + w.database +
                              " file declared (add '" + w.database +
                              " FILE' naming the container image's /etc/" + w.database +
                              ", or write the " + w.id + " as a number)";
        // `group NAME` and `group FILE` differ only by the '/' a file path has.
        if (kind == Kind::gid && bare)
            message += "; a group file is written with a '/': group ./" + name;
        error(std::move(message));
        return std::nullopt;
    }
    if (!database.db) return std::nullopt;  // unreadable; already reported at its line
    auto id = database.db->id_of(name);
    if (!id)
        error(std::string(w.entry) + " " + quote(name) + " not found in " + database.decl->path);
    return id;
}

std::optional<std::uint32_t> MapNames::storage_id(Kind kind, const std::string& name) {
    const KindWords w = words(kind);
    if (looks_numeric(name)) {
        NumberOrError id = read_id(name, std::string("storage ") + w.id);
        if (!id.value) error(std::move(id.error));
        return id.value;
    }
    const std::string what = std::string("storage ") + w.entry + " " + quote(name);
    const Database& database = kind == Kind::uid ? storage_passwd_ : storage_group_;
    if (database.decl->declared()) {
        if (!database.db) return std::nullopt;  // unreadable; already reported at its line
        auto id = database.db->id_of(name);
        if (!id) error(what + " not found in " + database.decl->path);
        return id;
    }
    auto id = kind == Kind::uid ? resolver_.uid_of(name) : resolver_.gid_of(name);
    if (!id) {
        error(what + " not found by the system's " + w.entry + " database");
    } else if (*id == kInvalidId) {
        error(what + " has id 4294967295 (-1), which is not a valid id");
        return std::nullopt;
    }
    return id;
}

std::optional<RuleExtent> MapNames::resolve(const WrittenRule& rule) {
    line_ = rule.line;
    // Both sides are looked up even when the first fails, so that every error shows at once.
    const bool bare = rule.text.find('=') == std::string::npos;
    const auto mount = mount_id(rule.kind, rule.mount_name, bare);
    const auto storage = storage_id(rule.kind, rule.storage_name);
    if (!mount || !storage) return std::nullopt;
    return RuleExtent{*mount, *storage, 1};
}

void MapNames::add_auto_names(RuleTable& table, int line) {
    line_ = line;
    if (!passwd_.decl->declared() && !group_.decl->declared()) {
        error(
            "'names auto' needs the container image's databases: declare 'passwd FILE' and/or "
            "'group FILE'");
        return;
    }
    add_auto_names(Kind::uid, table, line);
    add_auto_names(Kind::gid, table, line);
}

void MapNames::add_auto_names(Kind kind, RuleTable& table, int line) {
    const Database& mount_side = kind == Kind::uid ? passwd_ : group_;
    const Database& storage_side = kind == Kind::uid ? storage_passwd_ : storage_group_;
    if (!mount_side.db) return;  // not declared (only the other kind is), or unreadable
    if (storage_side.decl->declared() && !storage_side.db) return;

    // Storage files are indexed once: a database can hold thousands of names.
    std::unordered_map<std::string_view, std::uint32_t> storage_file_ids;
    if (storage_side.db) {
        for (const NameEntry& entry : storage_side.db->entries()) {
            storage_file_ids.emplace(entry.name, entry.id);
        }
    }
    const KindWords w = words(kind);
    for (const NameEntry& entry : mount_side.db->entries()) {
        std::optional<std::uint32_t> storage;
        if (storage_side.db) {
            if (auto found = storage_file_ids.find(entry.name); found != storage_file_ids.end()) {
                storage = found->second;
            }
        } else {
            storage =
                kind == Kind::uid ? resolver_.uid_of(entry.name) : resolver_.gid_of(entry.name);
        }
        if (!storage || *storage == kInvalidId) continue;
        const RuleExtent extent{entry.id, *storage, 1};
        // Explicit rules win, and of two names with the same id the first one listed wins.
        if (table.overlaps(kind, extent).any()) continue;
        table.add(
            {kind, extent, file_, line, std::string("names auto: ") + w.entry + " " + entry.name});
    }
}

}  // namespace idshift::idmap

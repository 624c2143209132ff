#pragma once
// The second pass over a map: turning `user`/`group` lines and `names auto` into single-id rules,
// with the mount-side databases (the container image's passwd/group files) on one side and the
// storage-side databases (files, or the NameResolver) on the other.
#include <cstdint>
#include <optional>
#include <string>

#include "idshift/idmap/name_db.hpp"
#include "idshift/idmap/name_resolver.hpp"
#include "map_syntax.hpp"
#include "rule_table.hpp"

namespace idshift::idmap {

class MapNames {
  public:
    // Loads every database the spec declares; unreadable or malformed ones add errors.
    MapNames(const MapSpec& spec, const std::string& file, const NameResolver& storage_names,
             FileTrust trust, ParseErrors& errors);

    // The single-id extent of a `user`/`group` line, or nullopt after adding an error (or without
    // one when the database it needs already failed to load and was reported).
    std::optional<RuleExtent> resolve(const WrittenRule& rule);

    // `names auto`: every name in the mount-side database that the storage side also knows maps
    // to itself, unless either id is already covered (that name is skipped silently).
    void add_auto_names(RuleTable& table, int line);

  private:
    struct Database {
        const DatabaseDecl* decl = nullptr;
        std::optional<NameDb> db;  // empty when undeclared or unreadable
    };

    // `bare`: the line named one name and no '=' (`group staff`).
    std::optional<std::uint32_t> mount_id(Kind kind, const std::string& name, bool bare);
    std::optional<std::uint32_t> storage_id(Kind kind, const std::string& name);
    void add_auto_names(Kind kind, RuleTable& table, int line);
    void error(std::string message);

    const std::string& file_;
    const NameResolver& resolver_;
    ParseErrors& errors_;
    int line_ = 0;
    Database passwd_, group_, storage_passwd_, storage_group_;
};

}  // namespace idshift::idmap

// Fuzzes everything that reads text: map files, inline uidmap=/gidmap= options, passwd/group
// files and /proc/PID/uid_map. Beyond "no crash, no sanitizer report" it checks the loaders'
// promises: a map or errors, never both; every rule of an accepted map translates both ways.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz_resolver.hpp"
#include "idshift/idmap/map_file.hpp"
#include "idshift/idmap/name_db.hpp"
#include "idshift/idmap/userns_map.hpp"

namespace {

using namespace idshift::idmap;

void require(bool condition) {
    if (!condition) std::abort();
}

// The first and last id of every rule map to each other, in both directions.
void check_map(const IdMap& map) {
    for (const RuleOrigin& rule : map.origins()) {
        const RuleExtent& e = rule.extent;
        require(e.count > 0);
        for (const std::uint32_t offset : {0u, e.count - 1}) {
            const std::uint32_t mount = e.mount_first + offset;
            const std::uint32_t storage = e.storage_first + offset;
            if (rule.kind == Kind::uid) {
                require(map.find_storage(MountUid{mount}) == StorageUid{storage});
                require(map.to_mount(StorageUid{storage}) == MountUid{mount});
            } else {
                require(map.find_storage(MountGid{mount}) == StorageGid{storage});
                require(map.to_mount(StorageGid{storage}) == MountGid{mount});
            }
        }
    }
    require(!describe(map).empty());
}

void check_load(const MapLoad& load) {
    require(load.ok() == load.errors.empty());
    for (const ParseError& error : load.errors)
        require(!error.message.empty());
    if (load.ok()) check_map(*load.map);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // Bytes are text here; char may alias any object.
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const fuzz::FuzzResolver resolver;

    // Relative database paths resolve into a directory that does not exist.
    check_load(parse_map_text(text, "/nonexistent-idshift-fuzz/fuzz.map", resolver));

    const std::size_t newline = text.find('\n');
    const std::string_view uidmap = text.substr(0, newline);
    const std::string_view gidmap =
        newline == std::string_view::npos ? "" : text.substr(newline + 1);
    check_load(parse_inline_map(uidmap, gidmap));

    ParseErrors errors;
    const NameDb db = NameDb::parse(text, "passwd", errors);
    for (const NameEntry& entry : db.entries())
        require(db.id_of(entry.name) == entry.id);

    errors.clear();
    const std::vector<RuleExtent> extents = parse_proc_id_map(text, "uid_map", errors);
    for (const RuleExtent& e : extents)
        require(e.count > 0);
    render_userns_map(1, extents, extents);
    return 0;
}

// Fuzzes the xattr translators with arbitrary blobs. The first byte picks the map; the rest is the
// xattr value. Checks: a refused blob is left unchanged; validation and translation agree; with
// the deny policy, mount -> storage -> mount gives back the original bytes.
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "idshift/idmap/acl_xattr.hpp"
#include "idshift/idmap/fcaps_xattr.hpp"

namespace {

using namespace idshift::idmap;

void require(bool condition) {
    if (!condition) std::abort();
}

// More than RangeMap::kInlineExtents extents, so the indexed lookups are exercised too.
IdMap make_map(UnmappedWrite policy) {
    std::vector<RuleExtent> uids = {{0, 100000, 65536}, {70000, 1000, 1}, {70001, 0, 1}};
    std::vector<RuleExtent> gids = {{0, 200000, 65536}};
    for (std::uint32_t i = 0; i < 8; ++i) {
        uids.push_back({80000 + i * 10, 300000 + i * 5, 3});
        gids.push_back({90000 + i * 10, 400000 + i * 5, 5});
    }
    uids.push_back({4294967294u, 4294967294u, 1});
    Policy p;
    p.unmapped_write = policy;
    p.squash_uid = StorageUid{165534};
    p.squash_gid = StorageGid{265534};
    return IdMap(UidRangeMap::from_rules(uids), GidRangeMap::from_rules(gids), p);
}

using Blob = std::vector<std::byte>;
// The translators as one signature, the errno of a translation. A refusal names an id only with
// EINVAL.
int errno_of(const XattrTranslation& result) {
    require(!result.refused || result.error == EINVAL);
    return result.error;
}
int acl_in(std::span<std::byte> blob, const IdMap& map) {
    return errno_of(acl_to_storage(blob, map));
}
int acl_out(std::span<std::byte> blob, const IdMap& map) {
    return acl_to_mount(blob, map);
}
int fcaps_in(std::span<std::byte> blob, const IdMap& map) {
    return errno_of(fcaps_to_storage(blob, map));
}
int fcaps_out(std::span<std::byte> blob, const IdMap& map) {
    return fcaps_to_mount(blob, map);
}

// Runs one translation on a copy; a refusal must leave the copy as it was.
using Translate = int (*)(std::span<std::byte>, const IdMap&);
int run(Translate translate, Blob& blob, const IdMap& map) {
    const Blob before = blob;
    const int err = translate(blob, map);
    require(err == 0 || err == EINVAL || err == EOVERFLOW);
    if (err != 0) require(blob == before);
    if (err == 0) require(blob.size() == before.size());
    return err;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const IdMap deny = make_map(UnmappedWrite::deny);
    static const IdMap squash = make_map(UnmappedWrite::squash);
    if (size == 0) return 0;
    const bool deny_policy = data[0] % 2 == 0;
    const IdMap& map = deny_policy ? deny : squash;
    Blob original(size - 1);
    if (size > 1) std::memcpy(original.data(), data + 1, size - 1);

    // ACLs: reading fails only on a malformed blob; writing may also refuse an unmapped id.
    const int valid = validate_acl(original);
    require(valid == 0 || valid == EINVAL);
    Blob acl = original;
    require(run(acl_out, acl, map) == valid);
    acl = original;
    const int stored = run(acl_in, acl, map);
    if (valid != 0) require(stored == EINVAL);
    if (stored == 0) {
        require(validate_acl(acl) == 0);
        // Under deny every id was covered, so reading it back gives the original.
        if (deny_policy) {
            require(run(acl_out, acl, map) == 0);
            require(acl == original);
        }
    }

    // security.capability
    Blob caps = original;
    run(fcaps_out, caps, map);
    caps = original;
    if (run(fcaps_in, caps, map) == 0 && deny_policy) {
        require(run(fcaps_out, caps, map) == 0);
        require(caps == original);
    }
    return 0;
}

// lookup, forget (and forget_multi, which the trampolines turn into forgets).
#include "fs_state.hpp"

namespace idshift::fusell {

Result<fuse_entry_param> Filesystem::lookup(const Caller& caller, fuse_ino_t parent,
                                            std::string_view name) {
    State& s = *state_;
    if (s.is_staging(parent)) return s.staging_lookup(name, *caller.map);
    auto valid = Name::parse(name);
    if (!valid) return Errno{valid.error()};
    auto dir = s.resolve(parent);
    if (!dir) return Errno{dir.error()};
    CredsGuard guard(s.creds_for(caller, *dir->node, dir->get(), X_OK));
    if (guard.error() != 0) return Errno{guard.error()};
    auto entry = s.entry_for(dir->get(), *valid, *caller.map);
    if (!entry && entry.error() == ENOENT && s.options.negative_timeout() > 0) {
        fuse_entry_param negative{};  // ino 0: the kernel caches "no such name"
        negative.entry_timeout = s.options.negative_timeout();
        return negative;
    }
    return entry;
}

void Filesystem::forget(fuse_ino_t ino, std::uint64_t nlookup) noexcept {
    State& s = *state_;
    try {
        if (auto gone = s.nodes.forget(ino, nlookup)) {
            s.fds.erase(ino);
            s.opener->forgotten(ino);
        }
    } catch (...) {
        // Only allocation in the maps can throw; a node that stays known costs memory only.
    }
}

}  // namespace idshift::fusell

// Writes that idshift itself refuses because the map cannot express an id (unmapped-write deny):
// each is counted in the unmapped-id table and logged, rate limited, naming the caller, where it
// happened and why. Errors from the backing filesystem (EPERM, EACCES, ...) are not refusals and
// never come here.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <array>
#include <cstddef>
#include <string>

#include "fs_state.hpp"
#include "idshift/fusell/stats_render.hpp"
#include "idshift/idmap/acl_xattr.hpp"

namespace idshift::fusell {
namespace {

using idmap::raw;

// The backing path of `fd` (plus "/name"), as the kernel tracks it, or "" when unknown.
std::string backing_path(int fd, std::string_view name) {
    std::array<char, 4096> target{};
    const std::string link = "/proc/self/fd/" + std::to_string(fd);
    const ssize_t n = ::readlink(link.c_str(), target.data(), target.size());
    if (n <= 0 || static_cast<std::size_t>(n) >= target.size() || target[0] != '/') return {};
    std::string path(target.data(), static_cast<std::size_t>(n));
    if (!name.empty()) {
        if (path != "/") path += '/';
        path += name;
    }
    return path;
}

}  // namespace

int Filesystem::State::refuse(const Caller& caller, const char* op, fuse_ino_t node,
                              std::string_view name, const RefusedId& refused, int error) noexcept {
    stats.unmapped(refused.kind, Direction::write, refused.id);
    const RefusalLog::Admission admission = refusal_log.admit();
    if (admission.suppressed != 0) {
        spdlog::warn("{} more refused operations not logged", admission.suppressed);
    }
    if (!admission.write) return error;
    try {
        std::string place;
        if (auto resolved = resolve(node)) place = backing_path(resolved->get(), name);
        place = place.empty() ? fmt::format("node {} name \"{}\" (path unknown)", node, name)
                              : "backing path " + place;
        const char* kind = refused.kind == idmap::Kind::uid ? "uid" : "gid";
        spdlog::warn(
            "refused {} by pid {} uid {} at {}: {} {} {} has no storage id "
            "(unmapped-write deny): {}",
            op, caller.pid, raw(caller.uid), place, refused.what, kind, refused.id,
            errno_name(error));
    } catch (...) {
        // Out of memory while describing it: the refusal stands, unlogged.
    }
    return error;
}

int Filesystem::State::refuse_xattr(const Caller& caller, fuse_ino_t node, std::string_view name,
                                    const idmap::XattrTranslation& failed) noexcept {
    if (!failed.refused) return failed.error;  // malformed: not a refusal of an id
    const char* what = idmap::is_acl_xattr(name) ? "ACL entry" : "file capability root";
    return refuse(caller, "setxattr", node, {},
                  {failed.refused->kind(), failed.refused->raw_id(), what}, failed.error);
}

void Filesystem::State::flush_refusal_log() noexcept {
    if (const std::uint64_t held_back = refusal_log.take_suppressed()) {
        spdlog::warn("{} more refused operations not logged", held_back);
    }
}

}  // namespace idshift::fusell

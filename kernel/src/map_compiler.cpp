#include "idshift/kernel/map_compiler.hpp"

#include <unistd.h>
#include <algorithm>
#include <charconv>
#include <fstream>
#include <optional>
#include <span>
#include <vector>

namespace idshift::kernel {
namespace {

std::optional<std::uint32_t> read_id_file(const char* path) {
    std::ifstream in(path);
    std::string text;
    if (!(in >> text)) return std::nullopt;
    std::uint32_t id = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return id;
}

// Sorted by storage id, with runs that continue each other on both sides joined: "5 105 1" and
// "6 106 1" are one extent "5 105 2" to the kernel.
// Works on the rules' numbers: the kernel's map text is untyped.
template <typename Extent>
std::vector<idmap::RuleExtent> merged(std::span<const Extent> extents) {
    std::vector<idmap::RuleExtent> sorted;
    for (const Extent& e : extents)
        sorted.push_back(e.rule());
    std::sort(sorted.begin(), sorted.end(),
              [](const idmap::RuleExtent& a, const idmap::RuleExtent& b) {
                  return a.storage_first < b.storage_first;
              });
    std::vector<idmap::RuleExtent> out;
    for (const idmap::RuleExtent& e : sorted) {
        if (!out.empty()) {
            idmap::RuleExtent& last = out.back();
            // Rules never overlap and never pass kMaxId, so these sums cannot wrap.
            if (last.storage_first + last.count == e.storage_first &&
                last.mount_first + last.count == e.mount_first) {
                last.count += e.count;
                continue;
            }
        }
        out.push_back(e);
    }
    return out;
}

std::string render(const std::vector<idmap::RuleExtent>& extents) {
    std::string text;
    for (const idmap::RuleExtent& e : extents) {
        text += std::to_string(e.storage_first) + ' ' + std::to_string(e.mount_first) + ' ' +
                std::to_string(e.count) + '\n';
    }
    return text;
}

// One kind's map text, or why it cannot be one.
template <typename Extent>
std::variant<std::string, NotExpressible> compile_kind(std::span<const Extent> extents,
                                                       const char* kind, std::size_t max_bytes,
                                                       std::size_t& count) {
    if (extents.empty()) {
        return NotExpressible{std::string("the map has no ") + kind +
                              " rule, and a user namespace needs at least one " + kind +
                              "_map line"};
    }
    std::vector<idmap::RuleExtent> out = merged(extents);
    if (out.size() > kMaxExtents) {
        return NotExpressible{std::to_string(out.size()) + " " + kind +
                              " extents after merging adjacent rules; the kernel takes at most " +
                              std::to_string(kMaxExtents)};
    }
    std::string text = render(out);
    if (text.size() > max_bytes) {
        return NotExpressible{std::string("the ") + kind + "_map text of " +
                              std::to_string(out.size()) + " extents is " +
                              std::to_string(text.size()) + " bytes; the kernel takes at most " +
                              std::to_string(max_bytes) + " in its one write"};
    }
    count = out.size();
    return text;
}

}  // namespace

KernelLimits read_kernel_limits() {
    KernelLimits limits;
    if (auto uid = read_id_file("/proc/sys/kernel/overflowuid")) limits.overflow_uid = *uid;
    if (auto gid = read_id_file("/proc/sys/kernel/overflowgid")) limits.overflow_gid = *gid;
    // The kernel refuses a write of a whole page or more (count >= PAGE_SIZE).
    if (const long page = ::sysconf(_SC_PAGESIZE); page > 0)
        limits.max_map_bytes = static_cast<std::size_t>(page) - 1;
    return limits;
}

std::variant<UsernsMaps, NotExpressible> compile_maps(const idmap::IdMap& map,
                                                      const KernelLimits& limits) {
    const idmap::Policy& policy = map.policy();
    if (policy.unmapped_write == idmap::UnmappedWrite::squash) {
        return NotExpressible{
            "unmapped-write is squash, and the kernel refuses a write of an unmapped id "
            "(EOVERFLOW) instead of storing a substitute"};
    }
    if (raw(policy.unmapped_read_uid) != limits.overflow_uid ||
        raw(policy.unmapped_read_gid) != limits.overflow_gid) {
        return NotExpressible{"unmapped-read is " + std::to_string(raw(policy.unmapped_read_uid)) +
                              ":" + std::to_string(raw(policy.unmapped_read_gid)) +
                              ", and the kernel shows unmapped ids as its overflow ids " +
                              std::to_string(limits.overflow_uid) + ":" +
                              std::to_string(limits.overflow_gid)};
    }
    UsernsMaps maps;
    auto uids = compile_kind(map.uids().extents(), "uid", limits.max_map_bytes, maps.uid_extents);
    if (auto* no = std::get_if<NotExpressible>(&uids)) return *no;
    auto gids = compile_kind(map.gids().extents(), "gid", limits.max_map_bytes, maps.gid_extents);
    if (auto* no = std::get_if<NotExpressible>(&gids)) return *no;
    maps.uid_map = std::move(std::get<std::string>(uids));
    maps.gid_map = std::move(std::get<std::string>(gids));
    return maps;
}

}  // namespace idshift::kernel

#include "idshift/kext/init_patch.hpp"

#include <linux/fuse.h>

#include <cstring>

namespace idshift::fusell::kext {
namespace {

// Only what the kernel offers with FUSE_INIT_EXT lives in flags2.
bool offered(const InitOffer& offer, std::uint64_t flag) noexcept {
    if (flag > 0xffffffffULL && (offer.flags & wire::kInitExt) == 0) return false;
    return (offer.flags & flag) != 0;
}

FeatureStatus decide_passthrough(const InitOffer& offer, const Options& options,
                                 std::uint64_t reply_flags) noexcept {
    FeatureStatus fs;
    fs.offered = offered(offer, wire::kPassthrough);
    if (!options.passthrough) {
        fs.reason = Reason::disabled_by_option;
    } else if (!fs.offered) {
        fs.reason = Reason::kernel_lacks_feature;
    } else if ((reply_flags & wire::kWritebackCache) != 0) {
        fs.reason = Reason::writeback_conflict;
    } else if (options.max_stack_depth < 1 || options.max_stack_depth > wire::kMaxStackDepth) {
        fs.reason = Reason::stack_depth;
    } else {
        fs.negotiated = true;
        fs.reason = Reason::pending;  // until the probe answers
    }
    return fs;
}

FeatureStatus decide_simple(const InitOffer& offer, std::uint64_t flag, bool wanted) noexcept {
    FeatureStatus fs;
    fs.offered = offered(offer, flag);
    if (!wanted) {
        fs.reason = Reason::disabled_by_option;
    } else if (!fs.offered) {
        fs.reason = Reason::kernel_lacks_feature;
    } else {
        fs.negotiated = true;
        fs.available = true;
        fs.reason = Reason::none;
    }
    return fs;
}

}  // namespace

std::optional<wire::InitOut> find_init_reply(const iovec* iov, int count,
                                             std::uint64_t unique) noexcept {
    if (iov == nullptr || count != 2) return std::nullopt;
    if (iov[0].iov_len != sizeof(fuse_out_header) || iov[0].iov_base == nullptr)
        return std::nullopt;
    if (iov[1].iov_len != sizeof(wire::InitOut) || iov[1].iov_base == nullptr) return std::nullopt;
    fuse_out_header header{};
    std::memcpy(&header, iov[0].iov_base, sizeof(header));
    if (header.unique != unique || header.error != 0) return std::nullopt;
    if (header.len != sizeof(header) + sizeof(wire::InitOut)) return std::nullopt;
    wire::InitOut body{};
    std::memcpy(&body, iov[1].iov_base, sizeof(body));
    return body;
}

InitPatch patch_init_reply(const InitOffer& offer, const Options& options,
                           const wire::InitOut& reply) noexcept {
    InitPatch patch;
    patch.reply = reply;
    std::uint64_t flags = reply.flags;
    if ((reply.flags & wire::kInitExt) != 0) flags |= std::uint64_t{reply.flags2} << 32;

    Status& st = patch.status;
    st.passthrough = decide_passthrough(offer, options, flags);
    st.killpriv_v2 = decide_simple(offer, wire::kHandleKillprivV2, options.killpriv_v2);
    st.allow_idmap = decide_simple(offer, wire::kAllowIdmap, options.allow_idmap);
    if (st.allow_idmap.negotiated && !options.default_permissions) {
        st.allow_idmap.negotiated = false;
        st.allow_idmap.available = false;
        st.allow_idmap.reason = Reason::needs_default_permissions;
    }

    if (st.passthrough.negotiated) {
        flags |= wire::kPassthrough;
        st.max_stack_depth = options.max_stack_depth;
        patch.reply.max_stack_depth = options.max_stack_depth;
    }
    if (st.killpriv_v2.negotiated) flags |= wire::kHandleKillprivV2;
    if (st.allow_idmap.negotiated) flags |= wire::kAllowIdmap;
    // flags2 is read by the kernel only with FUSE_INIT_EXT, which every kernel that offers one of
    // the flags2 features also offered.
    if ((flags >> 32) != 0) flags |= wire::kInitExt;

    patch.reply.flags = static_cast<std::uint32_t>(flags);
    patch.reply.flags2 = static_cast<std::uint32_t>(flags >> 32);
    patch.changed = std::memcmp(&patch.reply, &reply, sizeof(reply)) != 0;
    return patch;
}

}  // namespace idshift::fusell::kext

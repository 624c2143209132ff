#include "idshift/kext/init_patch.hpp"

#include <catch2/catch.hpp>

#include <cstring>

#include "request_bytes.hpp"

namespace kext = idshift::fusell::kext;
namespace wire = kext::wire;
using kext::Reason;
using kext::test::read_at;

namespace {

constexpr std::uint64_t kInitUnique = 2;

kext::InitOffer offer_of(std::uint64_t flags) {
    kext::InitOffer offer;
    offer.unique = kInitUnique;
    offer.major = 7;
    offer.minor = 45;
    offer.flags = flags;
    return offer;
}

constexpr std::uint64_t kEverything = wire::kInitExt | wire::kPassthrough | wire::kAllowIdmap |
                                      wire::kHandleKillprivV2 | wire::kWritebackCache |
                                      FUSE_ASYNC_READ | FUSE_MAX_PAGES;

// What libfuse 3.14 puts in its INIT reply: its own flags, minor 31, no flags2.
wire::InitOut libfuse_reply(std::uint32_t flags = FUSE_ASYNC_READ | FUSE_MAX_PAGES) {
    wire::InitOut out{};
    out.major = 7;
    out.minor = 31;
    out.max_readahead = 131072;
    out.flags = flags;
    out.max_write = 1U << 20;
    out.max_pages = 256;
    return out;
}

// libfuse's writev: the header alone in iov[0], the body in iov[1].
struct ReplyIov {
    fuse_out_header header{};
    wire::InitOut body{};
    iovec iov[2]{};

    explicit ReplyIov(const wire::InitOut& out, std::uint64_t unique = kInitUnique,
                      std::size_t body_len = sizeof(wire::InitOut)) {
        header.unique = unique;
        header.len = static_cast<std::uint32_t>(sizeof(header) + body_len);
        body = out;
        iov[0] = {&header, sizeof(header)};
        iov[1] = {&body, body_len};
    }
};

}  // namespace

TEST_CASE("find_init_reply copies the body of a successful INIT reply", "[kext][init]") {
    ReplyIov reply(libfuse_reply());
    const auto body = kext::find_init_reply(reply.iov, 2, kInitUnique);
    REQUIRE(body.has_value());
    CHECK(std::memcmp(&*body, &reply.body, sizeof(reply.body)) == 0);
}

TEST_CASE("find_init_reply leaves every other writev alone", "[kext][init]") {
    SECTION("a reply to another request") {
        ReplyIov reply(libfuse_reply(), kInitUnique + 1);
        CHECK_FALSE(kext::find_init_reply(reply.iov, 2, kInitUnique));
    }
    SECTION("an error reply") {
        ReplyIov reply(libfuse_reply());
        reply.header.error = -EPROTO;
        CHECK_FALSE(kext::find_init_reply(reply.iov, 2, kInitUnique));
    }
    SECTION("the 24-byte body of protocol minors below 23") {
        ReplyIov reply(libfuse_reply(), kInitUnique, 24);
        CHECK_FALSE(kext::find_init_reply(reply.iov, 2, kInitUnique));
    }
    SECTION("header only, or the body split over two iovecs") {
        ReplyIov reply(libfuse_reply());
        CHECK_FALSE(kext::find_init_reply(reply.iov, 1, kInitUnique));
        iovec split[3] = {
            reply.iov[0], {&reply.body, 32}, {reinterpret_cast<char*>(&reply.body) + 32, 32}};
        CHECK_FALSE(kext::find_init_reply(split, 3, kInitUnique));
    }
    SECTION("a header whose len disagrees with the iovecs") {
        ReplyIov reply(libfuse_reply());
        reply.header.len += 8;
        CHECK_FALSE(kext::find_init_reply(reply.iov, 2, kInitUnique));
    }
    SECTION("no iovecs at all") {
        CHECK_FALSE(kext::find_init_reply(nullptr, 0, kInitUnique));
    }
}

TEST_CASE("patch_init_reply negotiates passthrough, killpriv_v2 and allow_idmap when offered",
          "[kext][init]") {
    kext::Options options;
    options.allow_idmap = true;
    const wire::InitOut original = libfuse_reply();
    const auto patch = kext::patch_init_reply(offer_of(kEverything), options, original);

    CHECK(patch.changed);
    const std::uint32_t expected_flags =
        FUSE_ASYNC_READ | FUSE_MAX_PAGES | FUSE_INIT_EXT | FUSE_HANDLE_KILLPRIV_V2;
    // Read back through byte offsets, as the kernel does.
    CHECK(read_at<std::uint32_t>(&patch.reply, 12) == expected_flags);
    CHECK(read_at<std::uint32_t>(&patch.reply, 32) == ((1U << 5) | (1U << 8)));
    CHECK(read_at<std::uint32_t>(&patch.reply, 36) == 1U);
    // Everything libfuse chose is kept.
    CHECK(patch.reply.minor == 31U);
    CHECK(patch.reply.max_write == original.max_write);
    CHECK(patch.reply.max_pages == original.max_pages);

    const kext::Status& st = patch.status;
    CHECK(st.passthrough.offered);
    CHECK(st.passthrough.negotiated);
    CHECK_FALSE(st.passthrough.available);  // only the probe can tell
    CHECK(st.passthrough.reason == Reason::pending);
    CHECK(st.max_stack_depth == 1U);
    CHECK(st.killpriv_v2.negotiated);
    CHECK(st.killpriv_v2.available);
    CHECK(st.killpriv_v2.reason == Reason::none);
    CHECK(st.allow_idmap.negotiated);
    CHECK(st.allow_idmap.reason == Reason::none);
}

TEST_CASE("patch_init_reply changes nothing the kernel did not offer", "[kext][init]") {
    kext::Options options;
    options.allow_idmap = true;
    const wire::InitOut original = libfuse_reply();

    SECTION("an old kernel without any of the flags") {
        const auto patch = kext::patch_init_reply(offer_of(FUSE_ASYNC_READ), options, original);
        CHECK_FALSE(patch.changed);
        CHECK(std::memcmp(&patch.reply, &original, sizeof(original)) == 0);
        CHECK(patch.status.passthrough.reason == Reason::kernel_lacks_feature);
        CHECK(patch.status.killpriv_v2.reason == Reason::kernel_lacks_feature);
        CHECK(patch.status.allow_idmap.reason == Reason::kernel_lacks_feature);
        CHECK_FALSE(patch.status.passthrough.offered);
    }
    SECTION("flags2 bits without FUSE_INIT_EXT do not count as offered") {
        const auto patch = kext::patch_init_reply(offer_of(wire::kPassthrough | wire::kAllowIdmap),
                                                  options, original);
        CHECK_FALSE(patch.changed);
        CHECK(patch.status.passthrough.reason == Reason::kernel_lacks_feature);
        CHECK(patch.status.allow_idmap.reason == Reason::kernel_lacks_feature);
    }
}

TEST_CASE("patch_init_reply refuses passthrough next to the writeback cache", "[kext][init]") {
    const wire::InitOut original = libfuse_reply(FUSE_ASYNC_READ | FUSE_WRITEBACK_CACHE);
    const auto patch = kext::patch_init_reply(offer_of(kEverything), kext::Options{}, original);

    CHECK(patch.status.passthrough.offered);
    CHECK_FALSE(patch.status.passthrough.negotiated);
    CHECK(patch.status.passthrough.reason == Reason::writeback_conflict);
    CHECK(patch.status.max_stack_depth == 0U);
    CHECK(patch.reply.flags2 == 0U);
    CHECK(patch.reply.max_stack_depth == 0U);
    // The writeback cache itself stays, and killpriv_v2 is unaffected.
    CHECK(patch.reply.flags == (FUSE_ASYNC_READ | FUSE_WRITEBACK_CACHE | FUSE_HANDLE_KILLPRIV_V2));
    CHECK(patch.status.killpriv_v2.negotiated);
}

TEST_CASE("patch_init_reply follows the options feature by feature", "[kext][init]") {
    const wire::InitOut original = libfuse_reply();
    kext::Options options;
    options.passthrough = false;
    options.killpriv_v2 = false;
    options.allow_idmap = false;

    SECTION("all off: the reply is untouched") {
        const auto patch = kext::patch_init_reply(offer_of(kEverything), options, original);
        CHECK_FALSE(patch.changed);
        CHECK(patch.status.passthrough.reason == Reason::disabled_by_option);
        CHECK(patch.status.killpriv_v2.reason == Reason::disabled_by_option);
        CHECK(patch.status.allow_idmap.reason == Reason::disabled_by_option);
        CHECK(patch.status.passthrough.offered);
    }
    SECTION("passthrough only, at stack depth 2") {
        options.passthrough = true;
        options.max_stack_depth = 2;
        const auto patch = kext::patch_init_reply(offer_of(kEverything), options, original);
        CHECK(patch.reply.flags == (original.flags | FUSE_INIT_EXT));
        CHECK(patch.reply.flags2 == (1U << 5));
        CHECK(patch.reply.max_stack_depth == 2U);
        CHECK(patch.status.max_stack_depth == 2U);
    }
    SECTION("killpriv_v2 only: no flags2, so no FUSE_INIT_EXT either") {
        options.killpriv_v2 = true;
        const auto patch = kext::patch_init_reply(offer_of(kEverything), options, original);
        CHECK(patch.reply.flags == (original.flags | FUSE_HANDLE_KILLPRIV_V2));
        CHECK(patch.reply.flags2 == 0U);
        CHECK(patch.reply.max_stack_depth == 0U);
    }
    SECTION("allow_idmap only") {
        options.allow_idmap = true;
        const auto patch = kext::patch_init_reply(offer_of(kEverything), options, original);
        CHECK(patch.reply.flags == (original.flags | FUSE_INIT_EXT));
        CHECK(patch.reply.flags2 == (1U << 8));
    }
    SECTION("allow_idmap without default_permissions would fail the INIT: declined") {
        options.allow_idmap = true;
        options.default_permissions = false;
        const auto patch = kext::patch_init_reply(offer_of(kEverything), options, original);
        CHECK_FALSE(patch.changed);
        CHECK(patch.status.allow_idmap.offered);
        CHECK_FALSE(patch.status.allow_idmap.negotiated);
        CHECK(patch.status.allow_idmap.reason == Reason::needs_default_permissions);
    }
    SECTION("a stack depth outside 1..2 declines passthrough") {
        options.passthrough = true;
        for (const std::uint32_t depth : {0U, 3U}) {
            options.max_stack_depth = depth;
            const auto patch = kext::patch_init_reply(offer_of(kEverything), options, original);
            CHECK_FALSE(patch.changed);
            CHECK(patch.status.passthrough.reason == Reason::stack_depth);
        }
    }
}

TEST_CASE("an INIT reply found in a synthetic writev is patched at the kernel's offsets",
          "[kext][init]") {
    ReplyIov reply(libfuse_reply());
    const auto body = kext::find_init_reply(reply.iov, 2, kInitUnique);
    REQUIRE(body.has_value());
    const auto patch = kext::patch_init_reply(offer_of(kEverything), kext::Options{}, *body);

    std::byte wire_bytes[sizeof(fuse_out_header) + sizeof(wire::InitOut)];
    std::memcpy(wire_bytes, &reply.header, sizeof(reply.header));
    std::memcpy(wire_bytes + sizeof(reply.header), &patch.reply, sizeof(patch.reply));
    const std::size_t body_at = sizeof(fuse_out_header);
    CHECK(read_at<std::uint32_t>(wire_bytes, 0) == sizeof(wire_bytes));  // len is unchanged
    CHECK((read_at<std::uint32_t>(wire_bytes, body_at + 12) & FUSE_INIT_EXT) != 0U);
    CHECK(read_at<std::uint32_t>(wire_bytes, body_at + 32) == (1U << 5));
    CHECK(read_at<std::uint32_t>(wire_bytes, body_at + 36) == 1U);
}

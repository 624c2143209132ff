#include "idshift/kext/reply.hpp"

#include <catch2/catch.hpp>

#include <cstring>
#include <vector>

#include "request_bytes.hpp"

namespace kext = idshift::fusell::kext;
using kext::test::read_at;

namespace {

// What the fake libfuse functions saw. Function pointers cannot capture, hence one static record.
struct Sent {
    std::vector<std::byte> iov_bytes;
    int iov_calls = 0;
    int open_calls = 0;
    int create_calls = 0;
    const fuse_file_info* fi = nullptr;
    const fuse_entry_param* entry = nullptr;
};
Sent g_sent;

int fake_reply_iov(fuse_req_t /*req*/, const iovec* iov, int count) {
    ++g_sent.iov_calls;
    for (int i = 0; i < count; ++i) {
        const auto* base = static_cast<const std::byte*>(iov[i].iov_base);
        g_sent.iov_bytes.insert(g_sent.iov_bytes.end(), base, base + iov[i].iov_len);
    }
    return 0;
}
int fake_reply_open(fuse_req_t /*req*/, const fuse_file_info* fi) {
    ++g_sent.open_calls;
    g_sent.fi = fi;
    return 0;
}
int fake_reply_create(fuse_req_t /*req*/, const fuse_entry_param* e, const fuse_file_info* fi) {
    ++g_sent.create_calls;
    g_sent.entry = e;
    g_sent.fi = fi;
    return -ENOENT;  // as libfuse does when the request was interrupted
}
int fake_reply_err(fuse_req_t /*req*/, int /*err*/) {
    return 0;
}
constexpr kext::ReplyFunctions kFake{fake_reply_iov, fake_reply_open, fake_reply_create,
                                     fake_reply_err};

fuse_file_info file_info_with_every_flag() {
    fuse_file_info fi{};
    fi.fh = 0x1122334455667788ULL;
    fi.direct_io = 1;
    fi.keep_cache = 1;
    fi.nonseekable = 1;
    fi.cache_readdir = 1;
    fi.noflush = 1;
    return fi;
}

}  // namespace

TEST_CASE("reply_open without a backing id is libfuse's reply", "[kext][reply]") {
    g_sent = {};
    const fuse_file_info fi = file_info_with_every_flag();
    CHECK(kext::reply_open(nullptr, &fi, 0, kFake) == 0);
    CHECK(g_sent.open_calls == 1);
    CHECK(g_sent.fi == &fi);
    CHECK(g_sent.iov_calls == 0);
}

TEST_CASE("reply_open with a backing id sends fuse_open_out with FOPEN_PASSTHROUGH",
          "[kext][reply]") {
    g_sent = {};
    const fuse_file_info fi = file_info_with_every_flag();
    CHECK(kext::reply_open(nullptr, &fi, 7, kFake) == 0);
    CHECK(g_sent.open_calls == 0);
    REQUIRE(g_sent.iov_bytes.size() == 16U);
    const std::byte* out = g_sent.iov_bytes.data();
    CHECK(read_at<std::uint64_t>(out, 0) == 0x1122334455667788ULL);
    // keep_cache, nonseekable and cache_readdir are stripped: the kernel would fail the open.
    CHECK(read_at<std::uint32_t>(out, 8) == ((1U << 7) | FOPEN_DIRECT_IO | FOPEN_NOFLUSH));
    CHECK(read_at<std::int32_t>(out, 12) == 7);
}

TEST_CASE("encode_open keeps only flags inside FOPEN_PASSTHROUGH_MASK", "[kext][reply]") {
    fuse_file_info fi{};
    fi.keep_cache = 1;
    const kext::wire::OpenOut out = kext::encode_open(fi, 3);
    CHECK(out.open_flags == kext::wire::kFopenPassthrough);
    CHECK((out.open_flags & ~kext::wire::kFopenPassthroughMask) == 0U);
}

TEST_CASE("reply_create with a backing id sends fuse_entry_out then fuse_open_out",
          "[kext][reply]") {
    g_sent = {};
    fuse_entry_param e{};
    e.ino = 0xabcdef;
    e.generation = 5;
    e.entry_timeout = 1.5;
    e.attr_timeout = 2.25;
    e.attr.st_ino = 42;
    e.attr.st_mode = S_IFREG | 0640;
    e.attr.st_nlink = 1;
    e.attr.st_uid = 100000;
    e.attr.st_gid = 100001;
    e.attr.st_size = 12345;
    e.attr.st_blksize = 4096;
    e.attr.st_blocks = 24;
    e.attr.st_mtim = {1700000000, 123};
    const fuse_file_info fi = file_info_with_every_flag();

    CHECK(kext::reply_create(nullptr, &e, &fi, 9, kFake) == 0);
    CHECK(g_sent.create_calls == 0);
    REQUIRE(g_sent.iov_bytes.size() == 144U);
    const std::byte* out = g_sent.iov_bytes.data();
    CHECK(read_at<std::uint64_t>(out, offsetof(fuse_entry_out, nodeid)) == 0xabcdefU);
    CHECK(read_at<std::uint64_t>(out, offsetof(fuse_entry_out, generation)) == 5U);
    CHECK(read_at<std::uint64_t>(out, offsetof(fuse_entry_out, entry_valid)) == 1U);
    CHECK(read_at<std::uint32_t>(out, offsetof(fuse_entry_out, entry_valid_nsec)) == 500000000U);
    CHECK(read_at<std::uint64_t>(out, offsetof(fuse_entry_out, attr_valid)) == 2U);
    CHECK(read_at<std::uint32_t>(out, offsetof(fuse_entry_out, attr_valid_nsec)) == 250000000U);
    const std::size_t attr = offsetof(fuse_entry_out, attr);
    CHECK(read_at<std::uint64_t>(out, attr + offsetof(fuse_attr, ino)) == 42U);
    CHECK(read_at<std::uint32_t>(out, attr + offsetof(fuse_attr, mode)) == (S_IFREG | 0640U));
    CHECK(read_at<std::uint32_t>(out, attr + offsetof(fuse_attr, uid)) == 100000U);
    CHECK(read_at<std::uint32_t>(out, attr + offsetof(fuse_attr, gid)) == 100001U);
    CHECK(read_at<std::uint64_t>(out, attr + offsetof(fuse_attr, size)) == 12345U);
    CHECK(read_at<std::uint64_t>(out, attr + offsetof(fuse_attr, blocks)) == 24U);
    CHECK(read_at<std::uint64_t>(out, attr + offsetof(fuse_attr, mtime)) == 1700000000U);
    CHECK(read_at<std::uint32_t>(out, attr + offsetof(fuse_attr, mtimensec)) == 123U);
    CHECK(read_at<std::uint64_t>(out, 128) == 0x1122334455667788ULL);
    CHECK(read_at<std::uint32_t>(out, 136) == ((1U << 7) | FOPEN_DIRECT_IO | FOPEN_NOFLUSH));
    CHECK(read_at<std::int32_t>(out, 140) == 9);
}

TEST_CASE("reply_create without a backing id is libfuse's reply, error included", "[kext][reply]") {
    g_sent = {};
    const fuse_entry_param e{};
    const fuse_file_info fi{};
    CHECK(kext::reply_create(nullptr, &e, &fi, 0, kFake) == -ENOENT);
    CHECK(g_sent.create_calls == 1);
    CHECK(g_sent.entry == &e);
    CHECK(g_sent.iov_calls == 0);
}

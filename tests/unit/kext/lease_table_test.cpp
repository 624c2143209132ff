#include "idshift/kext/lease_table.hpp"

#include <catch2/catch.hpp>

#include <cerrno>
#include <vector>

namespace kext = idshift::fusell::kext;

namespace {

class CountingDevice final : public kext::BackingDevice {
  public:
    int open_backing(int /*fd*/) noexcept override { return ++opened; }
    int close_backing(int backing_id) noexcept override {
        closed.push_back(backing_id);
        return 0;
    }
    int opened = 0;
    std::vector<int> closed;
};

// Fake libfuse replies: record the backing id seen, answer with g_reply_result.
int g_reply_result = 0;
std::vector<int> g_sent_ids;

int fake_iov(fuse_req_t /*req*/, const iovec* iov, int /*count*/) {
    const auto* base = static_cast<const std::byte*>(iov[0].iov_base);
    const std::size_t open_at =
        iov[0].iov_len == sizeof(kext::wire::CreateOut) ? sizeof(fuse_entry_out) : 0;
    g_sent_ids.push_back(reinterpret_cast<const kext::wire::OpenOut*>(base + open_at)->backing_id);
    return g_reply_result;
}
int fake_open(fuse_req_t /*req*/, const fuse_file_info* /*fi*/) {
    g_sent_ids.push_back(0);
    return g_reply_result;
}
int fake_create(fuse_req_t /*req*/, const fuse_entry_param* /*e*/, const fuse_file_info* /*fi*/) {
    g_sent_ids.push_back(0);
    return g_reply_result;
}
int fake_err(fuse_req_t /*req*/, int /*err*/) {
    return 0;
}
constexpr kext::ReplyFunctions kFake{fake_iov, fake_open, fake_create, fake_err};

struct Fixture {
    CountingDevice device;
    kext::BackingRegistry registry{device};
    kext::LeaseTable table{registry};
    Fixture() {
        registry.set_enabled(true);
        g_reply_result = 0;
        g_sent_ids.clear();
    }
};

fuse_file_info file_with_fh(std::uint64_t fh) {
    fuse_file_info fi{};
    fi.fh = fh;
    return fi;
}

}  // namespace

TEST_CASE("the lease table replies with the shared id and keeps a lease per fh", "[kext][leases]") {
    Fixture f;
    fuse_file_info first = file_with_fh(100);
    fuse_file_info second = file_with_fh(101);
    CHECK(f.table.reply_open(nullptr, first, 7, 3, kFake) == 0);
    CHECK(f.table.reply_open(nullptr, second, 7, 4, kFake) == 0);
    CHECK(g_sent_ids == std::vector<int>{1, 1});
    CHECK(f.table.size() == 2U);

    f.table.release(100);
    CHECK(f.device.closed.empty());
    f.table.release(101);
    CHECK(f.device.closed == std::vector<int>{1});
    CHECK(f.table.size() == 0U);
    f.table.release(101);  // unknown fh: nothing happens
    CHECK(f.device.closed.size() == 1U);
}

TEST_CASE("a failed reply drops the lease at once", "[kext][leases]") {
    Fixture f;
    g_reply_result = -ENOENT;  // the request was interrupted: no RELEASE will come
    fuse_file_info fi = file_with_fh(5);
    const fuse_entry_param e{};
    CHECK(f.table.reply_create(nullptr, e, fi, 9, 3, kFake) == -ENOENT);
    CHECK(g_sent_ids == std::vector<int>{1});
    CHECK(f.table.size() == 0U);
    CHECK(f.device.closed == std::vector<int>{1});
    CHECK(f.registry.live_ids() == 0U);
}

TEST_CASE("the lease table answers like libfuse when passthrough is off", "[kext][leases]") {
    CountingDevice device;
    kext::BackingRegistry registry(device);  // never enabled
    kext::LeaseTable table(registry);
    g_reply_result = 0;
    g_sent_ids.clear();
    fuse_file_info fi = file_with_fh(1);
    CHECK(table.reply_open(nullptr, fi, 7, 3, kFake) == 0);
    CHECK(g_sent_ids == std::vector<int>{0});
    CHECK(device.opened == 0);
    CHECK(table.size() == 1U);  // still counted: a later open of inode 7 must stay cached
    table.release(1);
    CHECK(table.size() == 0U);
}

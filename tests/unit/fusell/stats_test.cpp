// The request counters: latency buckets and percentiles, error and unmapped-id counts, the text
// renderings, the rate limit of refusal logs, and the Reply guard counting what it answers.
#include <catch2/catch.hpp>

#include <cerrno>
#include <chrono>
#include <string>

#include "idshift/fusell/stats.hpp"
#include "idshift/fusell/stats_render.hpp"
#include "refusal_log.hpp"
#include "reply.hpp"

using namespace idshift::fusell;
using idshift::idmap::Kind;
using std::chrono::nanoseconds;

static_assert(OpName("mkdir").op == Op::mkdir);
static_assert(OpName("write_buf").op == Op::write_buf);
static_assert(op_name(Op::readdirplus) == std::string_view("readdirplus"));

TEST_CASE("latencies fall into log2 buckets whose upper bounds are inclusive") {
    CHECK(latency_bucket(0) == 0);
    CHECK(latency_bucket(1024) == 0);
    CHECK(latency_bucket(1025) == 1);
    CHECK(latency_bucket(2048) == 1);
    CHECK(latency_bucket(2049) == 2);
    CHECK(latency_bucket(1'000'000) == 10);  // (2^19, 2^20] ns
    CHECK(latency_bucket(std::uint64_t{1} << 40) == 30);
    CHECK(latency_bucket((std::uint64_t{1} << 40) + 1) == 31);
    CHECK(latency_bucket(UINT64_MAX) == 31);
    CHECK(latency_bucket_bound_ns(0) == 1024);
    CHECK(latency_bucket_bound_ns(10) == 1'048'576);
}

TEST_CASE("quantiles interpolate inside the bucket they fall in") {
    LatencyCounts counts{};
    CHECK(latency_quantile_ns(counts, 0.5) == 0.0);

    counts[0] = 10;  // ten requests of at most 1024 ns
    CHECK(latency_quantile_ns(counts, 0.5) == Approx(512.0));
    CHECK(latency_quantile_ns(counts, 1.0) == Approx(1024.0));

    counts[0] = 9;
    counts[3] = 1;  // one in (4096, 8192] ns
    CHECK(latency_quantile_ns(counts, 0.5) == Approx(1024.0 * 5 / 9));
    CHECK(latency_quantile_ns(counts, 0.9) == Approx(1024.0));
    CHECK(latency_quantile_ns(counts, 0.99) == Approx(4096.0 + 4096.0 * 0.9));

    LatencyCounts slow{};
    slow[kLatencyBuckets - 1] = 4;  // beyond the last bound: reads as that bound
    CHECK(latency_quantile_ns(slow, 0.5) == Approx(double(std::uint64_t{1} << 40)));
}

TEST_CASE("recorded requests show up in the snapshot by operation, errno and bucket") {
    Stats stats;
    stats.record(Op::lookup, 0, nanoseconds(500));
    stats.record(Op::lookup, ENOENT, nanoseconds(3000));
    stats.record(Op::lookup, ENOENT, nanoseconds(3000));
    stats.record(Op::lookup, EACCES, nanoseconds(-5));  // a clock step back counts as 0
    stats.record(Op::lookup, 4000, nanoseconds(0));     // no such errno: the shared counter
    stats.record(Op::mkdir, 0, nanoseconds(2'000'000));

    const StatsSnapshot snapshot = stats.snapshot();
    REQUIRE(snapshot.ops.size() == kOpCount);
    const OpSnapshot& lookup = snapshot.ops[static_cast<std::size_t>(Op::lookup)];
    CHECK(lookup.op == Op::lookup);
    CHECK(lookup.count == 5);
    CHECK(lookup.latency_sum_ns == 6500);
    CHECK(lookup.latency[0] == 3);
    CHECK(lookup.latency[2] == 2);  // 3000 ns: (2048, 4096]
    using Errors = std::vector<std::pair<int, std::uint64_t>>;
    CHECK(lookup.errors == Errors{{ENOENT, 2}, {EACCES, 1}, {0, 1}});  // ascending, large last
    const OpSnapshot& mkdir = snapshot.ops[static_cast<std::size_t>(Op::mkdir)];
    CHECK(mkdir.count == 1);
    CHECK(mkdir.errors.empty());
    CHECK(mkdir.latency[11] == 1);  // 2 ms: (2^20, 2^21] ns
    CHECK(snapshot.ops[static_cast<std::size_t>(Op::getattr)].count == 0);
}

TEST_CASE("the unmapped-id tables keep 64 ids each and count the rest as other") {
    Stats stats;
    stats.unmapped(Kind::uid, Direction::write, 5000);
    stats.unmapped(Kind::uid, Direction::write, 5000);
    stats.unmapped(Kind::uid, Direction::write, 42);
    stats.unmapped(Kind::gid, Direction::read, 7);
    for (std::uint32_t id = 100; id < 100 + IdCounterTable::kSlots + 3; ++id)
        stats.unmapped(Kind::gid, Direction::write, id);

    const StatsSnapshot snapshot = stats.snapshot();
    REQUIRE(snapshot.unmapped.size() == 4);
    const auto& uid_read = snapshot.unmapped[0];
    const auto& uid_write = snapshot.unmapped[1];
    const auto& gid_read = snapshot.unmapped[2];
    const auto& gid_write = snapshot.unmapped[3];
    CHECK((uid_read.kind == Kind::uid && uid_read.direction == Direction::read));
    CHECK(uid_read.ids.empty());
    CHECK((uid_write.kind == Kind::uid && uid_write.direction == Direction::write));
    CHECK(uid_write.ids == std::vector<IdCount>{{42, 1}, {5000, 2}});
    CHECK(uid_write.other == 0);
    CHECK(gid_read.ids == std::vector<IdCount>{{7, 1}});
    CHECK(gid_write.ids.size() == IdCounterTable::kSlots);
    CHECK(gid_write.ids.front() == IdCount{100, 1});
    CHECK(gid_write.ids.back() == IdCount{100 + IdCounterTable::kSlots - 1, 1});
    CHECK(gid_write.other == 3);
    // An id already in a full table is still counted as itself.
    stats.unmapped(Kind::gid, Direction::write, 100);
    CHECK(stats.snapshot().unmapped[3].ids.front() == IdCount{100, 2});
}

namespace {

// lookup: 3 requests (2 ENOENT), latencies 800 ns, 900 ns and 3300 ns; mkdir: none.
StatsSnapshot small_snapshot() {
    StatsSnapshot snapshot;
    OpSnapshot lookup;
    lookup.op = Op::lookup;
    lookup.count = 3;
    lookup.latency_sum_ns = 5000;
    lookup.latency[0] = 2;
    lookup.latency[2] = 1;
    lookup.errors = {{ENOENT, 2}};
    OpSnapshot mkdir;
    mkdir.op = Op::mkdir;
    snapshot.ops = {lookup, mkdir};
    snapshot.unmapped = {
        {Kind::uid, Direction::read, {{5000, 4}}, 0},
        {Kind::uid, Direction::write, {{6000, 2}, {6001, 1}}, 7},
        {Kind::gid, Direction::read, {}, 0},
        {Kind::gid, Direction::write, {}, 0},
    };
    snapshot.adapted[static_cast<std::size_t>(Adapted::passthrough_declined)] = 9;
    return snapshot;
}

StatsInfo small_info() {
    StorageInfo gluster;
    gluster.dev = "0:52";
    gluster.fstype = "fuse.glusterfs";
    gluster.found = "ACLs no";
    gluster.does = "served through the daemon";
    gluster.acls = false;
    gluster.passthrough = false;
    return {"1.2.3", "off", {gluster}};
}

}  // namespace

TEST_CASE("the Prometheus rendering is the text exposition format, exactly") {
    const std::string text = render_prometheus(small_snapshot(), small_info());
    std::string buckets;
    const char* bounds[] = {
        "1.024e-06",      "2.048e-06",    "4.096e-06",     "8.192e-06",     "1.6384e-05",
        "3.2768e-05",     "6.5536e-05",   "0.000131072",   "0.000262144",   "0.000524288",
        "0.001048576",    "0.002097152",  "0.004194304",   "0.008388608",   "0.016777216",
        "0.033554432",    "0.067108864",  "0.134217728",   "0.268435456",   "0.536870912",
        "1.073741824",    "2.147483648",  "4.294967296",   "8.589934592",   "17.179869184",
        "34.359738368",   "68.719476736", "137.438953472", "274.877906944", "549.755813888",
        "1099.511627776", "+Inf",
    };
    for (std::size_t b = 0; b < kLatencyBuckets; ++b) {
        const int cumulative = b < 2 ? 2 : 3;
        buckets += "idshift_op_latency_seconds_bucket{op=\"lookup\",le=\"" +
                   std::string(bounds[b]) + "\"} " + std::to_string(cumulative) + "\n";
    }
    CHECK(text ==
          "# HELP idshift_info The idshift build and its kernel protocol extras.\n"
          "# TYPE idshift_info gauge\n"
          "idshift_info{version=\"1.2.3\",passthrough=\"off\"} 1\n"
          "# HELP idshift_ops_total Requests answered, per operation.\n"
          "# TYPE idshift_ops_total counter\n"
          "idshift_ops_total{op=\"lookup\"} 3\n"
          "idshift_ops_total{op=\"mkdir\"} 0\n"
          "# HELP idshift_op_errors_total Requests answered with an error, per operation and "
          "errno.\n"
          "# TYPE idshift_op_errors_total counter\n"
          "idshift_op_errors_total{op=\"lookup\",errno=\"ENOENT\"} 2\n"
          "# HELP idshift_op_latency_seconds Time from a request's arrival to its answer, per "
          "operation.\n"
          "# TYPE idshift_op_latency_seconds histogram\n" +
              buckets +
              "idshift_op_latency_seconds_sum{op=\"lookup\"} 5e-06\n"
              "idshift_op_latency_seconds_count{op=\"lookup\"} 3\n"
              "# HELP idshift_unmapped_total Ids the map does not cover: storage ids read (shown "
              "as the unmapped-read id) and mount ids refused on write; id=\"other\" counts ids "
              "past the table's 64.\n"
              "# TYPE idshift_unmapped_total counter\n"
              "idshift_unmapped_total{kind=\"uid\",direction=\"read\",id=\"5000\"} 4\n"
              "idshift_unmapped_total{kind=\"uid\",direction=\"write\",id=\"6000\"} 2\n"
              "idshift_unmapped_total{kind=\"uid\",direction=\"write\",id=\"6001\"} 1\n"
              "idshift_unmapped_total{kind=\"uid\",direction=\"write\",id=\"other\"} 7\n"
              "# HELP idshift_storage_info Each storage below SOURCE: what idshift does there "
              "(probed at mount and at each new filesystem met).\n"
              "# TYPE idshift_storage_info gauge\n"
              "idshift_storage_info{dev=\"0:52\",fstype=\"fuse.glusterfs\",acls=\"no\","
              "owner_after_create=\"no\",passthrough=\"no\"} 1\n"
              "# HELP idshift_storage_adaptations_total What idshift did where a storage lacks "
              "something.\n"
              "# TYPE idshift_storage_adaptations_total counter\n"
              "idshift_storage_adaptations_total{what=\"owner-set-after-create\"} 0\n"
              "idshift_storage_adaptations_total{what=\"owner-refused\"} 0\n"
              "idshift_storage_adaptations_total{what=\"passthrough-declined\"} 9\n"
              "idshift_storage_adaptations_total{what=\"acl-answered-enodata\"} 0\n");
}

TEST_CASE("the table lists the operations asked for, their errors and percentiles") {
    // lookup's p50: rank 1.5 of 2 in bucket 0 → 768 ns; p90 and p99: in (2048, 4096] ns.
    CHECK(render_table(small_snapshot(), small_info()) ==
          "idshift 1.2.3, passthrough off\n"
          "\n"
          "operation          requests   errors        p50        p90        p99\n"
          "lookup                    3        2     768 ns     3.5 us     4.0 us\n"
          "    errors: ENOENT 2\n"
          "\n"
          "unmapped ids (read: storage ids shown as the unmapped-read id; write: mount ids "
          "refused)\n"
          "kind  direction         id      count\n"
          "uid   read            5000          4\n"
          "uid   write           6000          2\n"
          "uid   write           6001          1\n"
          "uid   write          other          7\n"
          "\n"
          "storage\n"
          "0:52 (fuse.glusterfs): found ACLs no; idshift: served through the daemon\n"
          "adaptations: owner-set-after-create 0, owner-refused 0, passthrough-declined 9, "
          "acl-answered-enodata 0\n");
}

TEST_CASE("durations and errno values read as people write them") {
    CHECK(format_duration_ns(850) == "850 ns");
    CHECK(format_duration_ns(12'340) == "12.3 us");
    CHECK(format_duration_ns(4'000'000) == "4.0 ms");
    CHECK(format_duration_ns(1'250'000'000) == "1.25 s");
    CHECK(errno_name(ENOENT) == "ENOENT");
    CHECK(errno_name(EOVERFLOW) == "EOVERFLOW");
    CHECK(errno_name(0) == "other");
    CHECK(errno_name(4000) == "4000");
}

TEST_CASE("refusal logs: ten lines a second, then a count of what was held back") {
    using Clock = RefusalLog::Clock;
    RefusalLog log;
    const Clock::time_point start{std::chrono::seconds(100)};
    for (int i = 0; i < 10; ++i) {
        const auto admission = log.admit(start + std::chrono::milliseconds(i));
        CHECK(admission.write);
        CHECK(admission.suppressed == 0);
    }
    for (int i = 0; i < 5; ++i)
        CHECK_FALSE(log.admit(start + std::chrono::milliseconds(500)).write);
    CHECK(log.take_suppressed(start + std::chrono::milliseconds(999)) == 0);  // window still open

    const auto next = log.admit(start + std::chrono::seconds(1));
    CHECK(next.write);
    CHECK(next.suppressed == 5);
    CHECK(log.take_suppressed(start + std::chrono::seconds(5)) == 0);  // handed out once

    for (int i = 0; i < 12; ++i)
        log.admit(start + std::chrono::seconds(6));
    CHECK(log.take_suppressed(start + std::chrono::seconds(7)) == 2);
    CHECK(log.take_suppressed(start + std::chrono::seconds(9)) == 0);
}

namespace {

struct FakeRequest {
    Stats stats;
    std::vector<int> errors_sent;
};

FakeRequest& fake_of(fuse_req_t req) {
    return *reinterpret_cast<FakeRequest*>(req);
}
int fake_err(fuse_req_t req, int error) {
    fake_of(req).errors_sent.push_back(error);
    return 0;
}
void fake_none(fuse_req_t) {}
Stats* fake_stats(fuse_req_t req) {
    return &fake_of(req).stats;
}

ReplyApi counting_api() {
    ReplyApi api{};
    api.err = &fake_err;
    api.none = &fake_none;
    api.stats = &fake_stats;
    return api;
}

}  // namespace

TEST_CASE("a Reply counts its request once, with the errno it answered") {
    const ReplyApi api = counting_api();
    FakeRequest request;
    const auto req = reinterpret_cast<fuse_req_t>(&request);
    {
        Reply reply(req, "lookup", api);
        reply.err(ENOENT);
        reply.err(EIO);  // already answered: neither sent nor counted
    }
    { Reply(req, "forget", api).none(); }
    { Reply(req, "getattr", api); }  // never answered: EIO, counted as such
    { Reply(req, "create", api).release(); }

    const StatsSnapshot snapshot = request.stats.snapshot();
    using Errors = std::vector<std::pair<int, std::uint64_t>>;
    const auto& lookup = snapshot.ops[static_cast<std::size_t>(Op::lookup)];
    CHECK(lookup.count == 1);
    CHECK(lookup.errors == Errors{{ENOENT, 1}});
    CHECK(snapshot.ops[static_cast<std::size_t>(Op::forget)].count == 1);
    CHECK(snapshot.ops[static_cast<std::size_t>(Op::getattr)].errors == Errors{{EIO, 1}});
    const auto& create = snapshot.ops[static_cast<std::size_t>(Op::create)];
    CHECK(create.count == 1);
    CHECK(create.errors.empty());
    CHECK(request.errors_sent == std::vector<int>{ENOENT, EIO});
}

// idshift stats: the counters a running daemon serves on its socket match what was done through
// the mount, and idshift's own refusals are logged with the caller and the backing path.
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdlib>
#include <sstream>
#include <string>

#include "support/acl_blob.hpp"
#include "support/child.hpp"
#include "support/eventually.hpp"
#include "support/files.hpp"
#include "support/mount_fixture.hpp"
#include "support/temp_dir.hpp"

using namespace idshift::itest;

namespace {

std::string idshift_bin() {
    const char* bin = std::getenv("IDSHIFT_BIN");
    REQUIRE(bin != nullptr);
    return bin;
}

// `idshift stats ARGS...`; fails the test unless it exits 0.
std::string stats(const std::vector<std::string>& args) {
    std::vector<std::string> argv{idshift_bin(), "stats"};
    argv.insert(argv.end(), args.begin(), args.end());
    std::string output;
    const int rc = run_program(argv, &output);
    INFO(output);
    REQUIRE(rc == 0);
    return output;
}

// The value of the sample `name{labels}` in Prometheus text; -1 when there is no such line.
long long sample(const std::string& text, const std::string& series) {
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind(series + " ", 0) == 0) return std::stoll(line.substr(series.size() + 1));
    }
    return -1;
}

// Every sample line of one metric whose labels start with `labels_prefix`.
std::vector<std::string> samples(const std::string& text, const std::string& prefix) {
    std::vector<std::string> found;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind(prefix, 0) == 0) found.push_back(line);
    }
    return found;
}

std::string ops(const char* op) {
    return std::string("idshift_ops_total{op=\"") + op + "\"}";
}
std::string errors(const char* op, const char* error) {
    return std::string("idshift_op_errors_total{op=\"") + op + "\",errno=\"" + error + "\"}";
}

int count_lines_with(const std::string& text, const std::string& needle) {
    int n = 0;
    for (std::size_t at = text.find(needle); at != std::string::npos;
         at = text.find(needle, at + 1))
        ++n;
    return n;
}

}  // namespace

TEST_CASE("stats: counts of mkdir, create, failed lookups and refused chowns are exact") {
    Volume vol({.options = {"cache=none"}});
    make_dir(vol.src("shared"), {0, 0}, 0777);
    make_file(vol.src("foreign"), {5000, 5002}, 0644, "x");

    for (int i = 0; i < 5; ++i)
        REQUIRE(::mkdir(vol.mnt("d" + std::to_string(i)).c_str(), 0755) == 0);
    for (int i = 0; i < 3; ++i) {
        const int fd = ::open(vol.mnt("f" + std::to_string(i)).c_str(),
                              O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
        REQUIRE(fd >= 0);
        ::close(fd);
    }
    // A caller the map does not cover creates nothing: idshift refuses with EOVERFLOW.
    CHECK(as_user(kUnmapped, [&] {
              const int fd = ::open(vol.mnt("shared/x").c_str(), O_CREAT | O_WRONLY, 0644);
              return fd >= 0 ? 0 : errno;
          }) == EOVERFLOW);
    CHECK(::chown(vol.mnt("f0").c_str(), 5001, -1) == -1);
    CHECK(errno == EOVERFLOW);
    CHECK(::chown(vol.mnt("f1").c_str(), 5001, -1) == -1);
    CHECK(::chown(vol.mnt("f2").c_str(), -1, 5003) == -1);
    CHECK(owner_of(vol.mnt("foreign")) == Owner{kOverflowId, kOverflowId});

    // Failed lookups also precede every mkdir and create, so count the three stats by difference.
    const std::string before = stats({"--prometheus", vol.mnt()});
    struct stat st {};
    for (int i = 0; i < 3; ++i)
        CHECK(::stat(vol.mnt("missing").c_str(), &st) == -1);
    const std::string text = stats({"--prometheus", vol.mnt()});
    INFO(text);

    CHECK(sample(text, ops("mkdir")) == 5);
    CHECK(sample(text, errors("mkdir", "EOVERFLOW")) == -1);
    CHECK(sample(text, ops("create")) == 4);
    CHECK(sample(text, errors("create", "EOVERFLOW")) == 1);
    CHECK(sample(text, errors("setattr", "EOVERFLOW")) == 3);
    CHECK(sample(text, errors("lookup", "ENOENT")) ==
          sample(before, errors("lookup", "ENOENT")) + 3);
    CHECK(sample(text, "idshift_op_latency_seconds_count{op=\"mkdir\"}") == 5);
    CHECK(sample(text, "idshift_op_latency_seconds_bucket{op=\"mkdir\",le=\"+Inf\"}") == 5);

    CHECK(samples(text, "idshift_unmapped_total{kind=\"uid\",direction=\"write\"") ==
          std::vector<std::string>{
              "idshift_unmapped_total{kind=\"uid\",direction=\"write\",id=\"5000\"} 1",
              "idshift_unmapped_total{kind=\"uid\",direction=\"write\",id=\"5001\"} 2",
          });
    CHECK(samples(text, "idshift_unmapped_total{kind=\"gid\",direction=\"write\"") ==
          std::vector<std::string>{
              "idshift_unmapped_total{kind=\"gid\",direction=\"write\",id=\"5003\"} 1",
          });
    // How often the kernel asks for the attributes of "foreign" is its business; which storage
    // ids read as unmapped is not.
    const auto uid_reads = samples(text, "idshift_unmapped_total{kind=\"uid\",direction=\"read\"");
    REQUIRE(uid_reads.size() == 1);
    CHECK(uid_reads[0].rfind("idshift_unmapped_total{kind=\"uid\",direction=\"read\",id=\"5000\"} ",
                             0) == 0);
    const auto gid_reads = samples(text, "idshift_unmapped_total{kind=\"gid\",direction=\"read\"");
    REQUIRE(gid_reads.size() == 1);
    CHECK(gid_reads[0].rfind("idshift_unmapped_total{kind=\"gid\",direction=\"read\",id=\"5002\"} ",
                             0) == 0);
    CHECK(samples(text, "idshift_info{").size() == 1);
    // The data path the daemon logged at startup is the one the statistics report.
    const bool passthrough = vol.mount().log().find("data path: passthrough") != std::string::npos;
    CHECK(samples(text, "idshift_info{")[0].find(passthrough ? ",passthrough=\"on\"} 1"
                                                             : ",passthrough=\"off\"} 1") !=
          std::string::npos);

    // The table for people: the mkdir row says 5 requests, 0 errors.
    const std::string table = stats({vol.mnt()});
    INFO(table);
    CHECK(table.find("\nmkdir                     5        0 ") != std::string::npos);
    CHECK(table.find("uid   write           5001          2\n") != std::string::npos);
}

TEST_CASE("stats: refusals are logged with pid, uid, backing path and reason") {
    Volume vol({.options = {"cache=none"}});
    make_file(vol.src("f"), {0, 0}, 0644);
    CHECK(::chown(vol.mnt("f").c_str(), 5001, -1) == -1);
    CHECK(errno == EOVERFLOW);
    const std::string line = "refused setattr by pid " + std::to_string(::getpid()) +
                             " uid 0 at backing path " + vol.src("f") +
                             ": new owner uid 5001 has no storage id (unmapped-write deny): "
                             "EOVERFLOW";
    CHECK(eventually([&] { return vol.mount().log().find(line) != std::string::npos; }));

    // Backing-filesystem errors are not idshift's refusals: nothing more is logged for them.
    CHECK(as_user(kApp, [&] { return ::chmod(vol.mnt("f").c_str(), 0600) == 0 ? 0 : errno; }) ==
          EPERM);
    CHECK(count_lines_with(vol.mount().log(), "warning: refused ") == 1);

    // An ACL entry the map cannot express: EINVAL, counted and logged with the id.
    const std::string acl = encode_acl({{AclTag::user_obj, 6},
                                        {AclTag::user, 4, 1003},
                                        {AclTag::group_obj, 4},
                                        {AclTag::group, 4, 5004},
                                        {AclTag::mask, 4},
                                        {AclTag::other, 4}});
    CHECK(::setxattr(vol.mnt("f").c_str(), "system.posix_acl_access", acl.data(), acl.size(), 0) ==
          -1);
    CHECK(errno == EINVAL);
    CHECK(eventually([&] {
        return vol.mount().log().find("refused setxattr by pid " + std::to_string(::getpid()) +
                                      " uid 0 at backing path " + vol.src("f") +
                                      ": ACL entry gid 5004 has no storage id "
                                      "(unmapped-write deny): EINVAL") != std::string::npos;
    }));
    CHECK(samples(stats({"--prometheus", vol.mnt()}),
                  "idshift_unmapped_total{kind=\"gid\",direction=\"write\"") ==
          std::vector<std::string>{
              "idshift_unmapped_total{kind=\"gid\",direction=\"write\",id=\"5004\"} 1"});

    // A burst: ten lines a second at most; the rest are counted in a summary line.
    for (int i = 0; i < 15; ++i)
        CHECK(::chown(vol.mnt("f").c_str(), -1, 5003) == -1);
    auto logged = [&] {
        const std::string log = vol.mount().log();
        int held_back = 0;
        for (std::size_t at = log.find(" more refused operations not logged");
             at != std::string::npos;
             at = log.find(" more refused operations not logged", at + 1)) {
            const std::size_t start = log.rfind(' ', at - 1) + 1;
            held_back += std::stoi(log.substr(start, at - start));
        }
        return count_lines_with(log, "warning: refused ") + held_back;
    };
    CHECK(eventually([&] { return logged() == 17; }));  // the two above and the fifteen
    CHECK(count_lines_with(vol.mount().log(), "warning: refused ") >= 10);
}

TEST_CASE("stats: -o stats_socket=PATH replaces a stale socket, and the file goes at unmount") {
    TempDir dir("idshift-stats-");
    const std::string path = dir.at("stats.sock");
    {  // a socket file nobody listens on, as a killed daemon leaves it
        const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        REQUIRE(fd >= 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        path.copy(address.sun_path, path.size());
        REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
        ::close(fd);
    }
    TempDir backing("idshift-src-");
    {
        Mount mount(backing.path(), {.options = {"stats_socket=" + path}});
        REQUIRE(::mkdir(mount.at("d").c_str(), 0755) == 0);
        const std::string text = stats({"--prometheus", "--socket", path});
        CHECK(sample(text, ops("mkdir")) == 1);
        struct stat st {};
        REQUIRE(::lstat(path.c_str(), &st) == 0);
        CHECK(S_ISSOCK(st.st_mode));
        CHECK((st.st_mode & 07777) == 0600);
        CHECK(st.st_uid == 0);
        // Not on the default path, then.
        std::string output;
        CHECK(run_program({idshift_bin(), "stats", mount.path()}, &output) == 1);
    }
    CHECK_FALSE(exists(path));
}

TEST_CASE("stats: -o stats_socket=none serves nothing") {
    TempDir backing("idshift-src-");
    Mount mount(backing.path(), {.options = {"stats_socket=none"}});
    std::string output;
    CHECK(run_program({idshift_bin(), "stats", mount.path()}, &output) == 1);
    INFO(output);
    CHECK(output.find("No such file or directory") != std::string::npos);
}

TEST_CASE("stats: -o passthrough=off shows in the info line") {
    TempDir backing("idshift-src-");
    Mount mount(backing.path(), {.options = {"passthrough=off"}});
    std::string output;
    REQUIRE(run_program({idshift_bin(), "stats", "--prometheus", mount.path()}, &output) == 0);
    INFO(output);
    CHECK(output.find("\",passthrough=\"off\"} 1\n") != std::string::npos);
}

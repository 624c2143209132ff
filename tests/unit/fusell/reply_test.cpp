// The Reply guard, through its ReplyApi seam: the "request" is a recorder, never a real fuse_req.
#include <catch2/catch.hpp>

#include <cerrno>
#include <string>
#include <vector>

#include "reply.hpp"

using namespace idshift::fusell;

namespace {

struct Recorder {
    std::vector<std::string> calls;
    std::vector<int> errors;
};

Recorder& recorder_of(fuse_req_t req) {
    return *reinterpret_cast<Recorder*>(req);
}
fuse_req_t as_req(Recorder& recorder) {
    return reinterpret_cast<fuse_req_t>(&recorder);
}

int fake_err(fuse_req_t req, int error) {
    recorder_of(req).calls.push_back("err");
    recorder_of(req).errors.push_back(error);
    return 0;
}
void fake_none(fuse_req_t req) {
    recorder_of(req).calls.push_back("none");
}
int fake_entry(fuse_req_t req, const fuse_entry_param*) {
    recorder_of(req).calls.push_back("entry");
    return 0;
}
int fake_attr(fuse_req_t req, const struct stat*, double) {
    recorder_of(req).calls.push_back("attr");
    return 0;
}
int fake_readlink(fuse_req_t req, const char*) {
    recorder_of(req).calls.push_back("readlink");
    return 0;
}
int fake_write(fuse_req_t req, size_t) {
    recorder_of(req).calls.push_back("write");
    return 0;
}
int fake_buf(fuse_req_t req, const char*, size_t size) {
    recorder_of(req).calls.push_back("buf:" + std::to_string(size));
    return 0;
}
int fake_statfs(fuse_req_t req, const struct statvfs*) {
    recorder_of(req).calls.push_back("statfs");
    return 0;
}
int fake_xattr(fuse_req_t req, size_t) {
    recorder_of(req).calls.push_back("xattr");
    return 0;
}
int fake_lock(fuse_req_t req, const struct flock*) {
    recorder_of(req).calls.push_back("lock");
    return 0;
}
int fake_lseek(fuse_req_t req, off_t) {
    recorder_of(req).calls.push_back("lseek");
    return 0;
}
int fake_open(fuse_req_t req, const fuse_file_info*) {
    recorder_of(req).calls.push_back("open");
    return -ENOENT;  // as libfuse reports an interrupted request
}

constexpr ReplyApi kFake{&fake_err,   &fake_none, &fake_entry,  &fake_attr,  &fake_readlink,
                         &fake_write, &fake_buf,  &fake_statfs, &fake_xattr, &fake_lock,
                         &fake_lseek, &fake_open, nullptr};

}  // namespace

TEST_CASE("a Reply destroyed without an answer answers EIO, once") {
    Recorder recorder;
    { Reply reply(as_req(recorder), "getattr", kFake); }
    CHECK(recorder.calls == std::vector<std::string>{"err"});
    CHECK(recorder.errors == std::vector<int>{EIO});
}

TEST_CASE("an answered Reply sends nothing more, even when asked twice") {
    Recorder recorder;
    {
        Reply reply(as_req(recorder), "read", kFake);
        CHECK_FALSE(reply.sent());
        reply.buf("abc", 3);
        CHECK(reply.sent());
        reply.err(ENOENT);
        reply.entry(fuse_entry_param{});
    }
    CHECK(recorder.calls == std::vector<std::string>{"buf:3"});
    CHECK(recorder.errors.empty());
}

TEST_CASE("err(0) is the success answer of operations without data") {
    Recorder recorder;
    { Reply(as_req(recorder), "unlink", kFake).err(0); }
    CHECK(recorder.errors == std::vector<int>{0});
}

TEST_CASE("released requests are the new owner's to answer") {
    Recorder recorder;
    {
        Reply reply(as_req(recorder), "open", kFake);
        CHECK(reply.release() == as_req(recorder));
        CHECK(reply.sent());
    }
    CHECK(recorder.calls.empty());
}

TEST_CASE("a moved Reply answers once, from where it ended up") {
    Recorder recorder;
    {
        Reply first(as_req(recorder), "lookup", kFake);
        Reply second(std::move(first));
        CHECK(first.sent());  // NOLINT: the moved-from guard owns nothing
    }
    CHECK(recorder.errors == std::vector<int>{EIO});
}

TEST_CASE("the send result is passed back") {
    Recorder recorder;
    Reply reply(as_req(recorder), "opendir", kFake);
    CHECK(reply.open(fuse_file_info{}) == -ENOENT);
    CHECK(recorder.calls == std::vector<std::string>{"open"});
}

#include <catch2/catch.hpp>

#include <cerrno>
#include <new>
#include <stdexcept>
#include <system_error>
#include <vector>

#include "boundary.hpp"

using namespace idshift::fusell;

namespace {

// The fake "request" is the vector the errors are recorded in.
int record_err(fuse_req_t req, int error) {
    reinterpret_cast<std::vector<int>*>(req)->push_back(error);
    return 0;
}
int ignore_buf(fuse_req_t, const char*, size_t) {
    return 0;
}

ReplyApi recording_api() {
    ReplyApi api{};
    api.err = &record_err;
    api.buf = &ignore_buf;
    return api;
}

}  // namespace

TEST_CASE("errno_boundary turns exceptions into errno values") {
    CHECK(errno_boundary("op", [] {}) == 0);
    CHECK(errno_boundary("op", [] { throw std::system_error(EXDEV, std::generic_category()); }) ==
          EXDEV);
    CHECK(errno_boundary("op", [] { throw std::bad_alloc(); }) == ENOMEM);
    CHECK(errno_boundary("op", [] { throw std::runtime_error("boom"); }) == EIO);
    CHECK(errno_boundary("op", [] { throw 42; }) == EIO);
    CHECK(errno_boundary("op", [] { throw std::system_error(0, std::generic_category()); }) == EIO);
}

TEST_CASE("answer_guarded answers the errno of an escaping exception, exactly once") {
    std::vector<int> errors;
    const ReplyApi api = recording_api();
    auto* req = reinterpret_cast<fuse_req_t>(&errors);
    {
        Reply reply(req, "mkdir", api);
        answer_guarded(reply, [] { throw std::system_error(EDQUOT, std::generic_category()); });
    }
    {
        Reply reply(req, "read", api);
        answer_guarded(reply, [&] {
            reply.buf("x", 1);
            throw std::runtime_error("after the answer");
        });
    }
    CHECK(errors == std::vector<int>{EDQUOT});
}

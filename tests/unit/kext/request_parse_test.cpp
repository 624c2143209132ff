#include "idshift/kext/request_parse.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <cstring>
#include <vector>

#include "idshift/kext/wire.hpp"
#include "request_bytes.hpp"

namespace kext = idshift::fusell::kext;
using kext::test::make_init_in;
using kext::test::make_request;

TEST_CASE("parse_request reports opcode, unique and node of any request", "[kext][parse]") {
    fuse_getattr_in body{};
    const auto bytes = make_request(FUSE_GETATTR, 0x1234, body);
    const auto note = kext::parse_request(bytes);
    REQUIRE(note.has_value());
    CHECK(note->opcode == FUSE_GETATTR);
    CHECK(note->unique == 0x1234U);
    CHECK(note->nodeid == 1U);
    CHECK_FALSE(note->kill_suidgid);
}

TEST_CASE("parse_request reads FUSE_WRITE_KILL_SUIDGID from write_flags", "[kext][parse]") {
    fuse_write_in body{};
    body.size = 4096;
    SECTION("flag set") {
        body.write_flags = FUSE_WRITE_CACHE | FUSE_WRITE_KILL_SUIDGID;
        CHECK(kext::parse_request(make_request(FUSE_WRITE, 9, body))->kill_suidgid);
    }
    SECTION("flag clear") {
        body.write_flags = FUSE_WRITE_LOCKOWNER;
        CHECK_FALSE(kext::parse_request(make_request(FUSE_WRITE, 9, body))->kill_suidgid);
    }
    SECTION("the same bit in another opcode means nothing") {
        body.write_flags = FUSE_WRITE_KILL_SUIDGID;
        CHECK_FALSE(kext::parse_request(make_request(FUSE_READ, 9, body))->kill_suidgid);
    }
}

TEST_CASE("parse_request reads FUSE_OPEN_KILL_SUIDGID from OPEN and CREATE", "[kext][parse]") {
    fuse_open_in open{};
    open.flags = 01001;  // O_WRONLY | O_TRUNC
    open.open_flags = FUSE_OPEN_KILL_SUIDGID;
    CHECK(kext::parse_request(make_request(FUSE_OPEN, 3, open))->kill_suidgid);
    open.open_flags = 0;
    CHECK_FALSE(kext::parse_request(make_request(FUSE_OPEN, 3, open))->kill_suidgid);

    fuse_create_in create{};
    create.flags = 01101;
    create.mode = 0644;
    create.open_flags = FUSE_OPEN_KILL_SUIDGID;
    CHECK(kext::parse_request(make_request(FUSE_CREATE, 4, create))->kill_suidgid);
    create.open_flags = 0;
    create.umask = FUSE_OPEN_KILL_SUIDGID;  // the flag is read at open_flags, nowhere else
    CHECK_FALSE(kext::parse_request(make_request(FUSE_CREATE, 4, create))->kill_suidgid);
}

TEST_CASE("parse_request refuses short or inconsistent buffers", "[kext][parse]") {
    fuse_write_in body{};
    body.write_flags = FUSE_WRITE_KILL_SUIDGID;
    auto bytes = make_request(FUSE_WRITE, 5, body);

    SECTION("shorter than a header") {
        CHECK_FALSE(kext::parse_request(std::span(bytes).first(sizeof(fuse_in_header) - 1)));
    }
    SECTION("header length disagrees with the buffer") {
        CHECK_FALSE(kext::parse_request(std::span(bytes).first(bytes.size() - 1)));
    }
    SECTION("a body too short for write_flags reads as no flag") {
        const auto truncated = make_request(FUSE_WRITE, 5, std::uint64_t{0});
        const auto note = kext::parse_request(truncated);
        REQUIRE(note.has_value());
        CHECK_FALSE(note->kill_suidgid);
    }
}

TEST_CASE("parse_init_offer combines flags and flags2 only with FUSE_INIT_EXT", "[kext][parse]") {
    const std::uint64_t offered =
        kext::wire::kInitExt | kext::wire::kPassthrough | kext::wire::kAllowIdmap | FUSE_ASYNC_READ;
    const auto offer = kext::parse_init_offer(make_request(FUSE_INIT, 77, make_init_in(offered)));
    REQUIRE(offer.has_value());
    CHECK(offer->unique == 77U);
    CHECK(offer->major == 7U);
    CHECK(offer->minor == 45U);
    CHECK(offer->flags == offered);

    auto without_ext = make_init_in(kext::wire::kPassthrough | FUSE_ASYNC_READ);
    const auto old = kext::parse_init_offer(make_request(FUSE_INIT, 78, without_ext));
    REQUIRE(old.has_value());
    CHECK(old->flags == FUSE_ASYNC_READ);
}

TEST_CASE("parse_init_offer ignores other requests and truncated INITs", "[kext][parse]") {
    CHECK_FALSE(kext::parse_init_offer(make_request(FUSE_GETATTR, 1, fuse_getattr_in{})));
    const std::uint32_t major_only[2] = {7, 45};
    CHECK_FALSE(kext::parse_init_offer(make_request(FUSE_INIT, 1, major_only)));
}

TEST_CASE("tmpfile_as_create turns a well-formed FUSE_TMPFILE into FUSE_CREATE", "[kext][parse]") {
    // CREATE's body, then the name "/" with its NUL: 18 bytes, no padding (the kernel's layout).
    fuse_create_in in{};
    in.flags = 020200002;  // O_RDWR | O_TMPFILE
    in.mode = 0600;
    std::array<char, sizeof(fuse_create_in) + 2> body{};
    const auto with_name = [&](const char* name) {
        std::memcpy(body.data(), &in, sizeof(in));
        std::memcpy(body.data() + sizeof(in), name, 2);
        return body;
    };
    auto bytes = make_request(FUSE_TMPFILE, 7, with_name("/"));
    const auto untouched_body =
        std::vector<std::byte>(bytes.begin() + sizeof(fuse_in_header), bytes.end());
    REQUIRE(kext::tmpfile_as_create(bytes));
    const auto note = kext::parse_request(bytes);
    REQUIRE(note.has_value());
    CHECK(note->opcode == FUSE_CREATE);
    CHECK(note->unique == 7U);
    CHECK(std::vector<std::byte>(bytes.begin() + sizeof(fuse_in_header), bytes.end()) ==
          untouched_body);
    CHECK_FALSE(kext::tmpfile_as_create(bytes));  // now a CREATE: left alone

    SECTION("another name, another opcode or a truncated body is left alone") {
        auto named = make_request(FUSE_TMPFILE, 8, with_name("x"));
        CHECK_FALSE(kext::tmpfile_as_create(named));
        CHECK(kext::parse_request(named)->opcode == FUSE_TMPFILE);
        auto create = make_request(FUSE_CREATE, 9, with_name("/"));
        CHECK_FALSE(kext::tmpfile_as_create(create));
        auto truncated = make_request(FUSE_TMPFILE, 10, in);
        CHECK_FALSE(kext::tmpfile_as_create(truncated));
        CHECK(kext::parse_request(truncated)->opcode == FUSE_TMPFILE);
    }
}

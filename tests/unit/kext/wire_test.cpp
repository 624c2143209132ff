// The layouts are pinned by static_asserts in wire.hpp; these cases state the numbers the kernel
// uses, so a wrong constant fails here with the value printed.
#include "idshift/kext/wire.hpp"

#include <catch2/catch.hpp>

namespace wire = idshift::fusell::kext::wire;

TEST_CASE("the INIT reply layout matches UAPI 7.40+", "[kext][wire]") {
    CHECK(sizeof(wire::InitOut) == 64U);
    CHECK(offsetof(wire::InitOut, flags) == 12U);
    CHECK(offsetof(wire::InitOut, flags2) == 32U);
    CHECK(offsetof(wire::InitOut, max_stack_depth) == 36U);
    CHECK(offsetof(wire::InitOut, request_timeout) == 40U);
}

TEST_CASE("the open reply and backing map layouts match UAPI 7.40+", "[kext][wire]") {
    CHECK(sizeof(wire::OpenOut) == 16U);
    CHECK(offsetof(wire::OpenOut, open_flags) == 8U);
    CHECK(offsetof(wire::OpenOut, backing_id) == 12U);
    CHECK(sizeof(wire::CreateOut) == 144U);
    CHECK(offsetof(wire::CreateOut, open) == 128U);
    CHECK(sizeof(wire::BackingMap) == 16U);
}

TEST_CASE("flag bits and ioctl numbers are the kernel's", "[kext][wire]") {
    CHECK(wire::kPassthrough == (1ULL << 37));
    CHECK(wire::kAllowIdmap == (1ULL << 40));
    CHECK(wire::kHandleKillprivV2 == (1ULL << 28));
    CHECK(wire::kFopenPassthrough == 0x80U);
    CHECK(wire::kFopenPassthroughMask ==
          0xe1U);  // PASSTHROUGH | DIRECT_IO | NOFLUSH | PARALLEL_DIRECT_WRITES
    CHECK(wire::kDevIocBackingOpen == 0x4010e501UL);
    CHECK(wire::kDevIocBackingClose == 0x4004e502UL);
}

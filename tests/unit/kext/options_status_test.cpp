#include <catch2/catch.hpp>

#include "idshift/kext/options.hpp"
#include "idshift/kext/status.hpp"

namespace kext = idshift::fusell::kext;
using kext::Feature;
using kext::Reason;

TEST_CASE("the defaults: passthrough and killpriv_v2 on, allow_idmap off", "[kext][options]") {
    const kext::Options options;
    CHECK(options.passthrough);
    CHECK(options.max_stack_depth == 1U);
    CHECK(options.killpriv_v2);
    CHECK_FALSE(options.allow_idmap);
}

TEST_CASE("apply_option parses the -o values", "[kext][options]") {
    kext::Options options;
    CHECK(kext::is_option("passthrough"));
    CHECK(kext::is_option("max_stack_depth"));
    CHECK(kext::is_option("killpriv_v2"));
    CHECK(kext::is_option("allow_idmap"));
    CHECK_FALSE(kext::is_option("default_permissions"));

    CHECK_FALSE(kext::apply_option(options, "passthrough", "off"));
    CHECK_FALSE(options.passthrough);
    CHECK_FALSE(kext::apply_option(options, "max_stack_depth", "2"));
    CHECK(options.max_stack_depth == 2U);
    CHECK_FALSE(kext::apply_option(options, "killpriv_v2", "off"));
    CHECK_FALSE(options.killpriv_v2);
    CHECK_FALSE(kext::apply_option(options, "allow_idmap", "on"));
    CHECK(options.allow_idmap);
}

TEST_CASE("apply_option rejects bad values with a message naming the option", "[kext][options]") {
    kext::Options options;
    CHECK(kext::apply_option(options, "passthrough", "yes") ==
          "option passthrough: invalid value 'yes' (expected on or off)");
    CHECK(kext::apply_option(options, "max_stack_depth", "3") ==
          "option max_stack_depth: invalid value '3' (expected 1 or 2)");
    CHECK(kext::apply_option(options, "nonsense", "on") == "unknown option nonsense");
    CHECK(options.passthrough);
    CHECK(options.max_stack_depth == 1U);
}

TEST_CASE("describe gives one log line per feature", "[kext][status]") {
    kext::Status status;
    status.passthrough = {true, true, true, Reason::none};
    status.max_stack_depth = 1;
    CHECK(kext::describe(Feature::passthrough, status) == "passthrough: on (max_stack_depth=1)");

    status.passthrough = {false, false, false, Reason::kernel_lacks_feature};
    CHECK(kext::describe(Feature::passthrough, status) ==
          "passthrough: off (kernel lacks FUSE_PASSTHROUGH)");
    status.passthrough.reason = Reason::writeback_conflict;
    CHECK(kext::describe(Feature::passthrough, status) ==
          "passthrough: off (writeback cache requested)");
    status.passthrough.reason = Reason::no_cap_sys_admin;
    CHECK(kext::describe(Feature::passthrough, status) == "passthrough: off (no CAP_SYS_ADMIN)");

    status.killpriv_v2 = {true, true, true, Reason::none};
    status.allow_idmap = {true, false, false, Reason::needs_default_permissions};
    CHECK(kext::describe(status) ==
          "passthrough: off (no CAP_SYS_ADMIN); killpriv_v2: on; "
          "allow_idmap: off (needs default_permissions)");
    CHECK(kext::describe(kext::Status{}) ==
          "passthrough: off (INIT not seen yet); killpriv_v2: off (INIT not seen yet); "
          "allow_idmap: off (INIT not seen yet)");
}

TEST_CASE("reason_name gives the metric names", "[kext][status]") {
    CHECK(kext::reason_name(Reason::no_cap_sys_admin) == "no_cap_sys_admin");
    CHECK(kext::reason_name(Reason::writeback_conflict) == "writeback_conflict");
    CHECK(kext::reason_name(Reason::kernel_lacks_feature) == "kernel_lacks_feature");
    CHECK(kext::reason_name(Reason::disabled_by_option) == "disabled_by_option");
    CHECK(kext::reason_name(Reason::stack_depth) == "stack_depth");
}

#include "suite_env.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <optional>

#include "idshift/sys/unique_fd.hpp"
#include "outcome.hpp"

namespace idshift::robust {
namespace {

[[noreturn]] void skip(std::string_view suite, const std::string& reason) {
    std::printf("robust: %.*s skipped: %s\n", static_cast<int>(suite.size()), suite.data(),
                reason.c_str());
    std::exit(77);
}

std::optional<Target> parse_target(const std::string& name) {
    if (name == "idshift") return Target::idshift;
    if (name == "bindfs") return Target::bindfs;
    if (name == "native") return Target::native;
    return std::nullopt;
}

}  // namespace

std::string_view target_name(Target target) {
    switch (target) {
        case Target::idshift:
            return "idshift";
        case Target::bindfs:
            return "bindfs";
        case Target::native:
            return "native";
    }
    return "?";
}

SuiteEnv require_environment(std::string_view suite, const Args& args, bool supports_native,
                             bool supports_bindfs) {
    SuiteEnv env;
    env.suite = std::string(suite);
    std::string name = "idshift";
    if (const char* from_env = std::getenv("IDSHIFT_ROBUST_TARGET")) name = from_env;
    if (auto from_args = args.get("target")) name = *from_args;
    const auto target = parse_target(name);
    if (!target) {
        std::fprintf(stderr, "unknown target %s (idshift, bindfs or native)\n", name.c_str());
        std::exit(2);
    }
    env.target = *target;

    if (::geteuid() != 0) skip(suite, "needs root (it mounts and switches uids)");
    // A write to a pipe whose reader died must come back as EPIPE, not end the suite.
    ::signal(SIGPIPE, SIG_IGN);
    if (env.target == Target::native && !supports_native) {
        skip(suite, "needs a daemon; --target native has none");
    }
    if (env.target == Target::bindfs && !supports_bindfs) {
        skip(suite, "checks idshift-only behaviour; --target bindfs cannot show it");
    }
    if (env.target == Target::native) return env;

    const sys::UniqueFd fuse(::open("/dev/fuse", O_RDWR | O_CLOEXEC));
    if (!fuse) skip(suite, "cannot open /dev/fuse: " + errno_name(errno));
    if (env.target == Target::bindfs) {
        env.daemon = "bindfs";
    } else if (const char* bin = std::getenv("IDSHIFT_BIN"); bin != nullptr && *bin != '\0') {
        env.daemon = bin;
    } else {
        skip(suite, "IDSHIFT_BIN is not set (CTest sets it to the built daemon)");
    }
    if (const char* backend = std::getenv("IDSHIFT_TEST_BACKEND");
        backend != nullptr && *backend != '\0') {
        env.backend = backend;
    }
    if (const char* variant = std::getenv("IDSHIFT_TEST_VARIANT"); variant != nullptr) {
        env.variant = variant;
    }
    if (!env.variant.empty() && env.variant != "nopassthrough" && env.variant != "nocache") {
        std::fprintf(stderr, "unknown IDSHIFT_TEST_VARIANT %s (nopassthrough or nocache)\n",
                     env.variant.c_str());
        std::exit(2);
    }
    if (!env.variant.empty() && (env.target != Target::idshift || env.kernel_backend())) {
        std::fprintf(stderr, "IDSHIFT_TEST_VARIANT=%s needs idshift on the FUSE backend\n",
                     env.variant.c_str());
        std::exit(2);
    }
    if (env.target == Target::idshift && ::access(env.daemon.c_str(), X_OK) != 0) {
        skip(suite, "IDSHIFT_BIN=" + env.daemon.string() + " is not executable");
    }
    return env;
}

int guarded_main(std::string_view suite, const std::function<int()>& body) {
    try {
        return body();
    } catch (const std::exception& error) {
        std::fprintf(stderr, "%.*s: %s\n", static_cast<int>(suite.size()), suite.data(),
                     error.what());
        return 1;
    }
}

}  // namespace idshift::robust

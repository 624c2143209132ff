#pragma once
// The map most tests mount with, and callers named after what it does to them.
#include <sys/types.h>

#include <string_view>

#include "support/child.hpp"
#include "support/files.hpp"

namespace idshift::itest {

// Mount side → storage side: uid/gid 0 → 0, 1000..1009 → 2000..2009, 3000 → 3000.
// Storage 5000 and mount 5000 are covered by no rule.
inline constexpr std::string_view kStandardMap =
    "# the standard integration-test map\n"
    "uid 0 0 1\n"
    "gid 0 0 1\n"
    "uid 1000 2000 10    # a range\n"
    "gid 1000 2000 10\n"
    "uid 3000 3000       # a single id\n"
    "gid 3000 3000\n";

// What storage ids no rule covers read as through the mount (the kernel's overflow id).
inline constexpr uid_t kOverflowId = 65534;

inline const Caller kApp{1000, 1000, {}};       // storage 2000:2000
inline const Caller kOtherApp{1001, 1001, {}};  // storage 2001:2001
inline const Caller kSingle{3000, 3000, {}};    // storage 3000:3000
inline const Caller kUnmapped{5000, 5000, {}};  // covered by no rule

inline constexpr Owner kRootOwner{0, 0};
inline constexpr Owner kAppMount{1000, 1000};
inline constexpr Owner kAppStorage{2000, 2000};

}  // namespace idshift::itest

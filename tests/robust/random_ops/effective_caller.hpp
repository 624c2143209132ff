#pragma once
// Acting as an ordinary caller for a few system calls and coming back to root: the effective
// uid/gid and the supplementary groups become the caller's, the real and saved ids stay root
// (so the way back is allowed), and the kernel drops the effective capabilities while the
// effective uid is not 0. random_ops applies each operation this way to both sides, then checks
// the trees as root. The process must be single-threaded apart from threads that do not touch
// the filesystems (the switch applies to every thread).
#include "caller.hpp"

namespace idshift::robust {

class EffectiveCaller {
  public:
    // nullptr: stay root (nothing changes). Throws std::system_error if a switch fails.
    explicit EffectiveCaller(const Caller* caller);
    ~EffectiveCaller();
    EffectiveCaller(const EffectiveCaller&) = delete;
    EffectiveCaller& operator=(const EffectiveCaller&) = delete;

  private:
    const Caller* caller_;
};

// kAlice, kBob or kRoot by name; nullptr for another name.
const Caller* caller_named(const std::string& name);

}  // namespace idshift::robust

#pragma once
// A seeded source of operations. Paths come from a small universe (three levels of six names) so
// that operations collide often; most pick a path the generator believes exists, learnt from the
// native side's results, so that successes and failures are both common. The sequence depends
// only on the seed and on those results, so a replay with the same seed repeats it exactly.
#include <cstdint>
#include <map>
#include <random>
#include <string>

#include "op.hpp"
#include "tree_snapshot.hpp"

namespace idshift::robust {

class OpGenerator {
  public:
    // with_fifos: mkfifo is in the stream. Off in CI for now: chown(-1, -1) of a set-id fifo keeps
    // S_ISUID/S_ISGID through idshift while a native directory clears them (a known defect).
    OpGenerator(std::uint64_t seed, bool with_fifos);

    Op next();
    // After an operation: whether each touched path now exists on the native side, and if so
    // whether it is a directory.
    void observe(const std::string& path, const NodeState& native_state);
    // After a full compare: the native tree is the new truth.
    void resync(const Snapshot& native_tree);

  private:
    std::uint64_t below(std::uint64_t bound);
    bool chance(unsigned percent);
    std::string any_path();
    std::string existing(bool want_dir);
    std::string new_name_in_existing_dir();
    timespec some_time();
    std::string link_target(const std::string& link);

    std::mt19937_64 random_;
    std::map<std::string, bool> known_;  // path -> is a directory
    bool with_fifos_;
};

}  // namespace idshift::robust

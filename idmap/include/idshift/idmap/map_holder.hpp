#pragma once
// The live map of a mount. Readers take a snapshot (one atomic load, no lock); a reload swaps in a
// whole new map, and requests already running finish with the snapshot they took.
#include <atomic>
#include <memory>

#include "idshift/idmap/id_map.hpp"

namespace idshift::idmap {

class MapHolder {
  public:
    explicit MapHolder(IdMap initial)
        : current_(std::make_shared<const IdMap>(std::move(initial))) {}

    std::shared_ptr<const IdMap> snapshot() const noexcept {
        return current_.load(std::memory_order_acquire);
    }
    void replace(IdMap next) {
        current_.store(std::make_shared<const IdMap>(std::move(next)), std::memory_order_release);
    }

  private:
    std::atomic<std::shared_ptr<const IdMap>> current_;
};

}  // namespace idshift::idmap

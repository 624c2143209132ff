#pragma once
// Every storage met below SOURCE, keyed by st_dev: what it was found to do and how idshift adapts.
// The root's storage is probed fully when the filesystem is made; a new st_dev met later (a
// submount) is probed by what can be read, once, and logged.
//
// Lock-free for readers, since every entry, open and create asks: entries are appended under a
// mutex, published by one release store of the count, and never removed or changed.
#include <sys/types.h>

#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "storage_traits.hpp"

namespace idshift::fusell::storage {

struct Entry {
    Traits found;
    Adaptation adaptation;
};

class StorageTable {
  public:
    // At most this many storages are remembered; past it a new one is judged like the root's.
    static constexpr std::size_t kMaxEntries = 64;

    // Probes the root's storage through its directory fd `root_fd` (fully, unless the mount is
    // read-only and must not write even a probe), and logs it.
    StorageTable(int root_fd, bool may_write);

    // The root's storage.
    const Entry& root() const noexcept { return *slots_[0]; }
    // The entry for `dev`, probing (by what can be read, through `fd`) and logging a new one.
    const Entry& learn(dev_t dev, int fd);
    // The entry for `dev`, or the root's when it has not been met.
    const Entry& find(dev_t dev) const noexcept;

    // One startup line per storage, in the order met.
    std::vector<Entry> entries() const;

  private:
    const Entry* lookup(dev_t dev) const noexcept;

    std::mutex append_;  // held while appending; readers never take it
    std::array<std::unique_ptr<const Entry>, kMaxEntries> slots_;
    std::atomic<std::size_t> count_{0};
};

}  // namespace idshift::fusell::storage

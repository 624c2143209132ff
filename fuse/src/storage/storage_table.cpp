#include "storage_table.hpp"

#include <spdlog/spdlog.h>

#include <cerrno>

#include "storage_probe.hpp"

namespace idshift::fusell::storage {

StorageTable::StorageTable(int root_fd, bool may_write) {
    Traits found = may_write ? probe_full(root_fd) : probe_readable(root_fd);
    if (!may_write && found.writable) {
        found.writable = false;
        found.write_error = EROFS;  // the mount is read-only: nothing is written, not even a probe
    }
    const Adaptation adaptation = adapt(found, found.posix_acl != Answer::no);
    spdlog::info("{}", describe(found, adaptation));
    slots_[0] = std::make_unique<const Entry>(Entry{std::move(found), adaptation});
    count_.store(1, std::memory_order_release);
}

const Entry* StorageTable::lookup(dev_t dev) const noexcept {
    const std::size_t n = count_.load(std::memory_order_acquire);
    for (std::size_t i = 0; i < n; ++i) {
        if (slots_[i]->found.dev == dev) return slots_[i].get();
    }
    return nullptr;
}

const Entry& StorageTable::find(dev_t dev) const noexcept {
    const Entry* entry = lookup(dev);
    return entry ? *entry : root();
}

const Entry& StorageTable::learn(dev_t dev, int fd) {
    if (const Entry* entry = lookup(dev)) return *entry;
    std::lock_guard lock(append_);
    if (const Entry* entry = lookup(dev)) return *entry;
    const std::size_t n = count_.load(std::memory_order_relaxed);
    if (n == kMaxEntries) return root();
    Traits found = probe_readable(fd);
    found.dev = dev;
    const Adaptation adaptation = adapt(found, root().adaptation.acls);
    spdlog::info("{} (below SOURCE)", describe(found, adaptation));
    slots_[n] = std::make_unique<const Entry>(Entry{std::move(found), adaptation});
    count_.store(n + 1, std::memory_order_release);
    return *slots_[n];
}

std::vector<Entry> StorageTable::entries() const {
    const std::size_t n = count_.load(std::memory_order_acquire);
    std::vector<Entry> out;
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i)
        out.push_back(*slots_[i]);
    return out;
}

}  // namespace idshift::fusell::storage

#include "idshift/kext/backing_registry.hpp"

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace idshift::fusell::kext {
namespace {

// Errors that say nothing about the inode: retry on a later first open.
bool transient(int err) noexcept {
    return err == ENOMEM || err == EMFILE || err == ENFILE;
}

}  // namespace

BackingLease::BackingLease(BackingLease&& other) noexcept
    : registry_(std::exchange(other.registry_, nullptr)),
      key_(other.key_),
      backing_id_(std::exchange(other.backing_id_, 0)) {}

BackingLease& BackingLease::operator=(BackingLease&& other) noexcept {
    if (this != &other) {
        reset();
        registry_ = std::exchange(other.registry_, nullptr);
        key_ = other.key_;
        backing_id_ = std::exchange(other.backing_id_, 0);
    }
    return *this;
}

BackingLease::~BackingLease() {
    reset();
}

void BackingLease::reset() noexcept {
    if (registry_ != nullptr) registry_->release(key_, backing_id_);
    registry_ = nullptr;
    backing_id_ = 0;
}

BackingRegistry::Shard& BackingRegistry::shard_for(InodeKey key) const noexcept {
    // Node pointers have zero low bits; a multiplicative hash spreads them over the shards.
    const std::uint64_t mixed = key * 0x9e3779b97f4a7c15ULL;
    return shards_[(mixed >> 58) % kShards];
}

int BackingRegistry::try_register(Entry& entry, int fd) noexcept {
    const int result = device_.open_backing(fd);
    if (result > 0) {
        entry.backing_id = result;
        return result;
    }
    const int err = -result;
    if (err == EPERM) {
        // Not negotiated after all, or CAP_SYS_ADMIN was dropped: nothing will succeed any more.
        if (!lost_permission_.exchange(true)) {
            spdlog::warn(
                "passthrough: off from now on: FUSE_DEV_IOC_BACKING_OPEN answered EPERM "
                "(needs CAP_SYS_ADMIN in the initial user namespace)");
        }
    } else if (!transient(err)) {
        entry.failure = err;
        spdlog::debug("passthrough: backing file refused ({}), this inode goes without",
                      std::strerror(err));
    }
    return 0;
}

BackingLease BackingRegistry::acquire(InodeKey key, int fd) {
    Shard& shard = shard_for(key);
    const std::lock_guard lock(shard.mutex);
    Entry& entry = shard.entries[key];
    if (entry.passthrough_opens > 0) {
        ++entry.passthrough_opens;  // the kernel demands the very same id for every open
        return BackingLease(this, key, entry.backing_id);
    }
    int id = 0;
    if (fd >= 0 && entry.cached_opens == 0 && entry.failure == 0 && enabled()) {
        id = try_register(entry, fd);
    }
    if (id > 0) {
        entry.passthrough_opens = 1;
    } else {
        ++entry.cached_opens;
    }
    return BackingLease(this, key, id);
}

void BackingRegistry::release(InodeKey key, int backing_id) noexcept {
    Shard& shard = shard_for(key);
    const std::lock_guard lock(shard.mutex);
    const auto it = shard.entries.find(key);
    if (it == shard.entries.end()) return;  // unreachable: every lease holds a count
    Entry& entry = it->second;
    if (backing_id > 0 && entry.passthrough_opens > 0) {
        // The kernel detaches the backing file from the inode before it sends RELEASE, so closing
        // the id on the last release cannot race with an open that still uses it.
        if (--entry.passthrough_opens == 0) {
            const int result = device_.close_backing(entry.backing_id);
            if (result < 0) {
                spdlog::warn("passthrough: FUSE_DEV_IOC_BACKING_CLOSE of id {} failed: {}",
                             entry.backing_id, std::strerror(-result));
            }
            entry.backing_id = 0;
        }
    } else if (backing_id == 0 && entry.cached_opens > 0) {
        --entry.cached_opens;
    }
    if (entry.passthrough_opens == 0 && entry.cached_opens == 0 && entry.failure == 0) {
        shard.entries.erase(it);
    }
}

void BackingRegistry::forget(InodeKey key) noexcept {
    Shard& shard = shard_for(key);
    const std::lock_guard lock(shard.mutex);
    const auto it = shard.entries.find(key);
    if (it == shard.entries.end()) return;
    it->second.failure = 0;
    if (it->second.passthrough_opens == 0 && it->second.cached_opens == 0) shard.entries.erase(it);
}

int BackingRegistry::backing_id_of(InodeKey key) const noexcept {
    const Shard& shard = shard_for(key);
    const std::lock_guard lock(shard.mutex);
    const auto it = shard.entries.find(key);
    return it == shard.entries.end() ? 0 : it->second.backing_id;
}

std::size_t BackingRegistry::live_ids() const noexcept {
    std::size_t count = 0;
    for (const Shard& shard : shards_) {
        const std::lock_guard lock(shard.mutex);
        for (const auto& [key, entry] : shard.entries)
            count += entry.backing_id > 0 ? 1 : 0;
    }
    return count;
}

}  // namespace idshift::fusell::kext

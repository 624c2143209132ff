#include "node_table.hpp"

#include <algorithm>
#include <functional>
#include <utility>

namespace idshift::fusell {

std::size_t NodeKeyHash::operator()(const NodeKey& key) const noexcept {
    // Inode numbers are dense on one device: mix so that consecutive inodes spread over shards.
    std::uint64_t h = static_cast<std::uint64_t>(key.ino) * 0x9E3779B97F4A7C15ULL;
    h ^= static_cast<std::uint64_t>(key.dev) + 0x632BE59BD9B4E019ULL + (h << 6) + (h >> 2);
    return static_cast<std::size_t>(h ^ (h >> 29));
}

Node::Node(fuse_ino_t id, NodeKey key, mode_t type, InodeHandle handle, sys::UniqueFd pinned)
    : id_(id),
      key_(key),
      type_(type & S_IFMT),
      handle_(std::move(handle)),
      pinned_(std::move(pinned)) {}

NodeTable::NodeTable(std::shared_ptr<Node> root) : root_(std::move(root)) {
    root_->nlookup_ = 1;
}

std::size_t NodeTable::shard_of(NodeKey key) noexcept {
    return (NodeKeyHash{}(key) >> 7) & (kShards - 1);
}

std::shared_ptr<Node> NodeTable::find(fuse_ino_t id) const {
    if (id == root_->id()) return root_;
    const Shard& shard = shards_[shard_of(id)];
    std::lock_guard lock(shard.mutex);
    auto it = shard.by_id.find(id);
    if (it == shard.by_id.end()) return nullptr;
    touch(*it->second);
    return it->second;
}

std::shared_ptr<Node> NodeTable::acquire(NodeKey key, mode_t type, InodeHandle handle,
                                         sys::UniqueFd pinned) {
    if (key == root_->key() && handle == root_->handle()) return root_;  // ".." of a child, etc.
    const std::size_t index = shard_of(key);
    Shard& shard = shards_[index];
    std::unique_lock lock(shard.mutex);
    if (auto known = shard.by_key.find(key); known != shard.by_key.end()) {
        auto& node = shard.by_id.at(known->second);
        if (node->handle() == handle) {
            ++node->nlookup_;
            touch(*node);
            return node;
        }
        // Same (dev, ino), different handle: the inode number now belongs to a new inode. The old
        // node stays reachable by id until the kernel forgets it.
    }
    const fuse_ino_t id = (shard.next_serial++ << kShardBits) | index;
    auto node = std::make_shared<Node>(id, key, type, std::move(handle), std::move(pinned));
    node->nlookup_ = 1;
    touch(*node);
    std::size_t pinned_now = 0;
    if (node->pinned_fd() >= 0) pinned_now = pinned_.fetch_add(1, std::memory_order_relaxed) + 1;
    shard.by_id.emplace(id, node);
    shard.by_key.insert_or_assign(key, id);
    lock.unlock();
    // Every kPressureStride nodes above the mark, not on each: the hook wakes a thread.
    if (pinned_now >= pressure_mark_ && (pinned_now - pressure_mark_) % kPressureStride == 0)
        pressure_hook_();
    return node;
}

void NodeTable::on_pinned_pressure(std::size_t mark, std::function<void()> hook) {
    pressure_mark_ = mark;
    pressure_hook_ = std::move(hook);
}

void NodeTable::report_fd_shortage() const {
    if (pressure_hook_) pressure_hook_();
}

std::shared_ptr<Node> NodeTable::forget(fuse_ino_t id, std::uint64_t count) {
    if (id == root_->id()) return nullptr;
    Shard& shard = shards_[shard_of(id)];
    std::lock_guard lock(shard.mutex);
    auto it = shard.by_id.find(id);
    if (it == shard.by_id.end()) return nullptr;
    Node& node = *it->second;
    node.nlookup_ -= std::min(count, node.nlookup_);
    if (node.nlookup_ > 0) return nullptr;
    if (auto key = shard.by_key.find(node.key()); key != shard.by_key.end() && key->second == id) {
        shard.by_key.erase(key);
    }
    std::shared_ptr<Node> gone = std::move(it->second);
    shard.by_id.erase(it);
    if (gone->pinned_fd() >= 0) pinned_.fetch_sub(1, std::memory_order_relaxed);
    return gone;
}

std::vector<fuse_ino_t> NodeTable::ids() const {
    std::vector<fuse_ino_t> out{root_->id()};
    for (const Shard& shard : shards_) {
        std::lock_guard lock(shard.mutex);
        for (const auto& [id, node] : shard.by_id)
            out.push_back(id);
    }
    return out;
}

std::size_t NodeTable::size() const {
    std::size_t total = 1;
    for (const Shard& shard : shards_) {
        std::lock_guard lock(shard.mutex);
        total += shard.by_id.size();
    }
    return total;
}

std::uint64_t NodeTable::lookup_count(fuse_ino_t id) const {
    if (id == root_->id()) return 1;
    const Shard& shard = shards_[shard_of(id)];
    std::lock_guard lock(shard.mutex);
    auto it = shard.by_id.find(id);
    return it == shard.by_id.end() ? 0 : it->second->nlookup_;
}

std::vector<fuse_ino_t> NodeTable::least_recently_used_pinned(std::size_t count) {
    std::vector<std::pair<std::uint64_t, fuse_ino_t>> pinned;
    for (const Shard& shard : shards_) {
        std::lock_guard lock(shard.mutex);
        for (const auto& [id, node] : shard.by_id) {
            if (node->pinned_fd() >= 0)
                pinned.emplace_back(node->last_used_.load(std::memory_order_relaxed), id);
        }
    }
    if (count < pinned.size()) {
        std::nth_element(pinned.begin(), pinned.begin() + static_cast<std::ptrdiff_t>(count),
                         pinned.end());
        pinned.resize(count);
    }
    std::vector<fuse_ino_t> ids;
    ids.reserve(pinned.size());
    for (const auto& [used, id] : pinned)
        ids.push_back(id);
    return ids;
}

}  // namespace idshift::fusell

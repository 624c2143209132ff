#include <catch2/catch.hpp>

#include <fcntl.h>

#include <chrono>
#include <set>
#include <thread>
#include <vector>

#include "node_table.hpp"

using namespace idshift::fusell;
using idshift::sys::UniqueFd;

namespace {

std::shared_ptr<Node> make_root() {
    return std::make_shared<Node>(FUSE_ROOT_ID, NodeKey{1, 2}, S_IFDIR, InodeHandle{},
                                  UniqueFd(::open("/", O_PATH | O_CLOEXEC)));
}

InodeHandle handle(unsigned char generation) {
    return InodeHandle{1, 7, {1, 2, 3, generation}};
}

}  // namespace

TEST_CASE("acquiring an inode twice returns one node with two lookups") {
    NodeTable table(make_root());
    auto a = table.acquire(NodeKey{1, 100}, S_IFREG, handle(1), UniqueFd{});
    auto b = table.acquire(NodeKey{1, 100}, S_IFREG, handle(1), UniqueFd{});
    CHECK(a == b);
    CHECK(a->id() != FUSE_ROOT_ID);
    CHECK(table.lookup_count(a->id()) == 2);
    CHECK(table.size() == 2);  // the root and this one
}

TEST_CASE("hard links (the same dev and ino) share a node, and other inodes do not") {
    NodeTable table(make_root());
    auto first = table.acquire(NodeKey{1, 100}, S_IFREG, handle(1), UniqueFd{});
    auto link = table.acquire(NodeKey{1, 100}, S_IFREG, handle(1), UniqueFd{});
    auto other_ino = table.acquire(NodeKey{1, 101}, S_IFREG, handle(1), UniqueFd{});
    auto other_dev = table.acquire(NodeKey{2, 100}, S_IFREG, handle(1), UniqueFd{});
    CHECK(first->id() == link->id());
    CHECK(first->id() != other_ino->id());
    CHECK(first->id() != other_dev->id());
    CHECK(other_ino->id() != other_dev->id());
}

TEST_CASE("forget drops lookups and frees the node at zero, and its id is never found again") {
    NodeTable table(make_root());
    auto node = table.acquire(NodeKey{1, 100}, S_IFREG, handle(1), UniqueFd{});
    table.acquire(NodeKey{1, 100}, S_IFREG, handle(1), UniqueFd{});
    table.acquire(NodeKey{1, 100}, S_IFREG, handle(1), UniqueFd{});
    const fuse_ino_t id = node->id();
    CHECK(table.forget(id, 2) == nullptr);
    CHECK(table.lookup_count(id) == 1);
    auto gone = table.forget(id, 1);
    REQUIRE(gone != nullptr);
    CHECK(gone->id() == id);
    CHECK(table.find(id) == nullptr);
    CHECK(table.lookup_count(id) == 0);
    CHECK(table.size() == 1);
    // A new lookup of the same inode gets a new id: the old one stays dead.
    auto again = table.acquire(NodeKey{1, 100}, S_IFREG, handle(1), UniqueFd{});
    CHECK(again->id() != id);
    CHECK(table.find(id) == nullptr);
}

TEST_CASE("forgetting more than was looked up frees once, and unknown ids are ignored") {
    NodeTable table(make_root());
    auto node = table.acquire(NodeKey{1, 5}, S_IFREG, handle(1), UniqueFd{});
    CHECK(table.forget(node->id(), 10) != nullptr);
    CHECK(table.forget(node->id(), 1) == nullptr);
    CHECK(table.forget(123456789, 1) == nullptr);
}

TEST_CASE("the root is always there and never forgotten") {
    NodeTable table(make_root());
    CHECK(table.find(FUSE_ROOT_ID) != nullptr);
    CHECK(table.forget(FUSE_ROOT_ID, 1000) == nullptr);
    CHECK(table.find(FUSE_ROOT_ID) != nullptr);
    CHECK(table.find(FUSE_ROOT_ID)->pinned_fd() >= 0);
}

TEST_CASE("a reused inode number with a new handle is a new node") {
    NodeTable table(make_root());
    auto old_inode = table.acquire(NodeKey{1, 100}, S_IFREG, handle(1), UniqueFd{});
    auto new_inode = table.acquire(NodeKey{1, 100}, S_IFDIR, handle(2), UniqueFd{});
    CHECK(old_inode->id() != new_inode->id());
    CHECK(S_ISDIR(new_inode->type()));
    // The old node stays reachable until the kernel forgets it, and forgetting it leaves the new
    // node as the one found for the key.
    CHECK(table.find(old_inode->id()) == old_inode);
    table.forget(old_inode->id(), 1);
    CHECK(table.acquire(NodeKey{1, 100}, S_IFDIR, handle(2), UniqueFd{}) == new_inode);
}

TEST_CASE("node ids carry their shard and spread over shards") {
    NodeTable table(make_root());
    std::set<std::size_t> shards;
    for (ino_t ino = 1000; ino < 1256; ++ino) {
        auto node = table.acquire(NodeKey{1, ino}, S_IFREG, handle(1), UniqueFd{});
        CHECK(NodeTable::shard_of(node->id()) == NodeTable::shard_of(NodeKey{1, ino}));
        shards.insert(NodeTable::shard_of(node->id()));
        CHECK(table.find(node->id()) == node);
    }
    CHECK(shards.size() > NodeTable::kShards / 2);
    CHECK(table.size() == 257);
    CHECK(table.ids().size() == 257);
}

TEST_CASE("a node without a handle keeps the fd it was given, and a found node drops the new one") {
    NodeTable table(make_root());
    const int first_fd = ::open("/", O_PATH | O_CLOEXEC);
    auto node = table.acquire(NodeKey{3, 9}, S_IFDIR, InodeHandle{}, UniqueFd(first_fd));
    CHECK(node->pinned_fd() == first_fd);
    const int second_fd = ::open("/", O_PATH | O_CLOEXEC);
    auto same = table.acquire(NodeKey{3, 9}, S_IFDIR, InodeHandle{}, UniqueFd(second_fd));
    CHECK(same == node);
    CHECK(node->pinned_fd() == first_fd);
    CHECK(::fcntl(second_fd, F_GETFD) == -1);  // closed: not kept by anyone
}

namespace {

UniqueFd some_fd() {
    return UniqueFd(::open("/", O_PATH | O_CLOEXEC));
}

}  // namespace

TEST_CASE("pinned nodes are counted until forgotten, and the ones unused longest come first") {
    NodeTable table(make_root());
    CHECK(table.pinned_count() == 0);  // the root's own fd is not counted
    auto old_node = table.acquire(NodeKey{1, 100}, S_IFREG, InodeHandle{}, some_fd());
    auto by_handle = table.acquire(NodeKey{1, 101}, S_IFREG, handle(1), UniqueFd{});
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    auto new_node = table.acquire(NodeKey{1, 102}, S_IFREG, InodeHandle{}, some_fd());
    CHECK(table.pinned_count() == 2);
    CHECK(table.least_recently_used_pinned(1) == std::vector<fuse_ino_t>{old_node->id()});
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    REQUIRE(table.find(old_node->id()) != nullptr);  // using it makes it the newest
    CHECK(table.least_recently_used_pinned(1) == std::vector<fuse_ino_t>{new_node->id()});
    CHECK(table.least_recently_used_pinned(5).size() == 2);
    table.forget(new_node->id(), 1);
    CHECK(table.pinned_count() == 1);
}

TEST_CASE("the pressure hook runs at the mark and every stride above it") {
    NodeTable table(make_root());
    int calls = 0;
    table.on_pinned_pressure(3, [&calls] { ++calls; });
    const std::size_t nodes = 3 + NodeTable::kPressureStride;
    for (std::size_t i = 0; i < nodes; ++i)
        table.acquire(NodeKey{1, 200 + i}, S_IFREG, InodeHandle{}, some_fd());
    CHECK(calls == 2);  // at 3 and at 3 + stride
    table.report_fd_shortage();
    CHECK(calls == 3);
}

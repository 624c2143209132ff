// Filesystem construction and the helpers every operation family shares (fs_state.hpp).
#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <system_error>

#include "fs_state.hpp"
#include "idshift/fusell/staged_root.hpp"
#include "idshift/sys/errno.hpp"
#include "inode_handle.hpp"

namespace idshift::fusell {
namespace {

using idmap::raw;

std::shared_ptr<Node> open_root(const std::string& source, MountFds& mount_fds, fuse_ino_t id) {
    const int fd = ::open(source.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) throw std::system_error(errno, std::generic_category(), source);
    sys::UniqueFd root(fd);
    auto st = sys::stat_fd(root.get());
    if (!st) throw std::system_error(st.error(), std::generic_category(), source);
    auto handle = handle_of(root.get());
    if (!handle) throw std::system_error(handle.error(), std::generic_category(), source);
    // The root keeps its fd; its mount's fd serves every node below it.
    if (!handle->empty()) mount_fds.learn(handle->mount_id, root.get(), st->st_mode);
    return std::make_shared<Node>(id, NodeKey{st->st_dev, st->st_ino}, st->st_mode,
                                  std::move(*handle), std::move(root));
}

}  // namespace

Filesystem::State::State(const std::string& source, FsOptions options_in, idmap::MapHolder& maps_in)
    : options(options_in),
      maps(maps_in),
      opener(std::make_unique<FileOpener>()),
      nodes(open_root(source, mount_fds, options.staged_root ? kVolumeNodeId : FUSE_ROOT_ID)),
      fds(options.fd_cache_size),
      storage(nodes.root()->pinned_fd(), !options.read_only) {}

Result<std::shared_ptr<Node>> Filesystem::State::node(fuse_ino_t id) const {
    auto found = nodes.find(id);
    if (!found) return Errno{ESTALE};
    return found;
}

Result<SharedFd> Filesystem::State::path_fd(const std::shared_ptr<Node>& node) {
    if (node->pinned_fd() >= 0) {
        // Shares ownership with the node, which owns the fd for its whole life.
        return SharedFd(node, &node->pinned());
    }
    if (SharedFd cached = fds.find(node->id())) return cached;
    const int mount_fd = mount_fds.find(node->handle().mount_id);
    if (mount_fd < 0) return Errno{ESTALE};
    auto reopened = open_handle(mount_fd, node->handle());
    if (!reopened) return Errno{note_fd_error(reopened.error())};
    return fds.insert(node->id(), std::move(*reopened));
}

Result<NodeFd> Filesystem::State::resolve(fuse_ino_t id) {
    auto found = node(id);
    if (!found) return Errno{found.error()};
    auto fd = path_fd(*found);
    if (!fd) return Errno{fd.error()};
    return NodeFd{std::move(*found), std::move(*fd)};
}

Result<fuse_entry_param> Filesystem::State::entry_for(int parent_fd, const Name& name,
                                                      const idmap::IdMap& map) {
    auto child = sys::open_path_at(parent_fd, name.c_str());
    if (!child) return Errno{note_fd_error(child.error())};
    return entry_from(std::move(*child), map);
}

Result<fuse_entry_param> Filesystem::State::entry_from(sys::UniqueFd inode_fd,
                                                       const idmap::IdMap& map, bool keep_fd) {
    auto st = sys::stat_fd(inode_fd.get());
    if (!st) return Errno{st.error()};
    auto handle = handle_of(inode_fd.get());
    if (!handle) return Errno{handle.error()};
    // A node keeps a handle where its mount gives handles and an fd on that mount can be had;
    // otherwise it keeps its O_PATH fd.
    const bool by_handle = !keep_fd && !handle->empty() &&
                           mount_fds.learn(handle->mount_id, inode_fd.get(), st->st_mode);
    const NodeKey key{st->st_dev, st->st_ino};
    // A filesystem below SOURCE met for the first time (a submount) is probed once.
    if (key.dev != storage.root().found.dev) storage.learn(key.dev, inode_fd.get());
    std::shared_ptr<Node> node;
    if (by_handle) {
        node = nodes.acquire(key, st->st_mode, std::move(*handle), sys::UniqueFd{});
        fds.insert(node->id(), std::move(inode_fd));  // the next operation will want it
    } else {
        node = nodes.acquire(key, st->st_mode, InodeHandle{}, std::move(inode_fd));
    }
    fuse_entry_param entry{};
    entry.ino = node->id();
    entry.generation = 0;  // nodeids are never reused, so (ino, 0) is unique for the mount's life
    entry.attr = to_mount(*st, map);
    entry.attr_timeout = options.attr_timeout();
    entry.entry_timeout = options.entry_timeout();
    return entry;
}

Result<std::shared_ptr<FileHandle>> Filesystem::State::file(std::uint64_t fh) const {
    auto found = files.find(fh);
    if (!found) return Errno{EBADF};
    return found;
}

Result<std::shared_ptr<DirHandle>> Filesystem::State::dir(std::uint64_t fh) const {
    auto found = dirs.find(fh);
    if (!found) return Errno{EBADF};
    return found;
}

Result<Filesystem::State::NewName> Filesystem::State::prepare_new_name(const Caller& caller,
                                                                       const char* op,
                                                                       fuse_ino_t parent,
                                                                       std::string_view name) {
    auto valid = Name::parse(name);
    if (!valid) return Errno{valid.error()};
    if (int e = check_can_create(caller, op, parent, name)) return Errno{e};
    auto dir = resolve(parent);
    if (!dir) return Errno{dir.error()};
    return NewName{*valid, std::move(*dir)};
}

Result<NodeFd> Filesystem::State::prepare_unnamed(const Caller& caller, fuse_ino_t parent) {
    if (int e = check_can_create(caller, "tmpfile", parent, {})) return Errno{e};
    return resolve(parent);
}

Result<fuse_entry_param> Filesystem::State::make_as_caller(
    const Caller& caller, const char* op, fuse_ino_t parent, std::string_view name, bool with_umask,
    const std::function<int(int, const char*)>& make) {
    auto target = prepare_new_name(caller, op, parent, name);
    if (!target) return Errno{target.error()};
    std::optional<CredsGuard> guard(std::in_place, creds(caller));
    if (guard->error() != 0) return Errno{guard->error()};
    std::optional<UmaskGuard> umask;
    if (with_umask) {
        umask.emplace(caller.umask);
        if (umask->error() != 0) return Errno{umask->error()};
    }
    const int dir_fd = target->dir.get();
    if (int e = make(dir_fd, target->name.c_str())) return Errno{e};
    const dev_t dev = target->dir.node->key().dev;
    if (!storage.find(dev).adaptation.owner_after_create) {
        return entry_for(dir_fd, target->name, *caller.map);
    }
    auto child = sys::open_path_at(dir_fd, target->name.c_str());
    if (!child) return Errno{note_fd_error(child.error())};
    umask.reset();
    guard.reset();  // the owner is set as the daemon (the fd needs no permission on a path)
    set_owner_after_create(caller, dev, dir_fd, child->get());
    return entry_from(std::move(*child), *caller.map);
}

int Filesystem::State::remove_as_caller(const Caller& caller, fuse_ino_t parent,
                                        std::string_view name, int flags) {
    auto valid = Name::parse(name);
    if (!valid) return valid.error();
    auto dir = resolve(parent);
    if (!dir) return dir.error();
    CredsGuard guard(creds_for_removal(caller, *dir, valid->c_str()));
    if (guard.error() != 0) return guard.error();
    return sys::errno_of(::unlinkat(dir->get(), valid->c_str(), flags));
}

int Filesystem::State::note_fd_error(int error) noexcept {
    if (error == EMFILE || error == ENFILE) nodes.report_fd_shortage();
    if ((error == EMFILE || error == ENFILE) && fd_exhaustion_log.allow()) {
        spdlog::error(
            "out of file descriptors ({}): {} nodes known, {} fds cached, {} files and {} "
            "directories open; on a backing filesystem without file handles every node keeps an "
            "fd",
            std::strerror(error), nodes.size(), fds.size(), files.size(), dirs.size());
    }
    return error;
}

Filesystem::Filesystem(const std::string& source, FsOptions options, idmap::MapHolder& maps)
    : state_(std::make_unique<State>(source, options, maps)) {
    if (!S_ISDIR(state_->nodes.root()->type())) {
        throw std::system_error(ENOTDIR, std::generic_category(), source);
    }
}

Filesystem::~Filesystem() = default;

std::vector<StorageInfo> Filesystem::storage_info() const {
    std::vector<StorageInfo> out;
    for (const storage::Entry& entry : state_->storage.entries()) {
        StorageInfo& info = out.emplace_back();
        info.dev =
            std::to_string(major(entry.found.dev)) + ":" + std::to_string(minor(entry.found.dev));
        info.fstype = entry.found.fstype.empty() ? "?" : entry.found.fstype;
        info.found = storage::describe_found(entry.found);
        info.does = storage::describe_adaptation(entry.adaptation, entry.found);
        info.acls = entry.adaptation.acls;
        info.owner_after_create = entry.adaptation.owner_after_create;
        info.passthrough = entry.adaptation.passthrough;
    }
    return out;
}

bool Filesystem::passthrough_allowed(dev_t dev) noexcept {
    if (state_->storage.find(dev).adaptation.passthrough) return true;
    state_->stats.adapted(Adapted::passthrough_declined);
    return false;
}

const FsOptions& Filesystem::options() const noexcept {
    return state_->options;
}
const idmap::MapHolder& Filesystem::maps() const noexcept {
    return state_->maps;
}
void Filesystem::set_opener(std::unique_ptr<FileOpener> opener) {
    state_->opener = std::move(opener);
}
FileOpener& Filesystem::opener() noexcept {
    return *state_->opener;
}

std::vector<fuse_ino_t> Filesystem::known_nodes() const {
    return state_->nodes.ids();
}
std::size_t Filesystem::node_count() const {
    return state_->nodes.size();
}
std::size_t Filesystem::pinned_nodes() const noexcept {
    return state_->nodes.pinned_count();
}
std::vector<fuse_ino_t> Filesystem::pinned_nodes_unused_longest(std::size_t count) {
    return state_->nodes.least_recently_used_pinned(count);
}
void Filesystem::on_fd_pressure(std::size_t mark, std::function<void()> wake) {
    state_->nodes.on_pinned_pressure(mark, std::move(wake));
}
Stats& Filesystem::stats() noexcept {
    return state_->stats;
}
void Filesystem::flush_refusal_log() noexcept {
    state_->flush_refusal_log();
}

int FileOpener::reply_open(fuse_req_t req, const OpenedFile&, fuse_file_info& fi) noexcept {
    return fuse_reply_open(req, &fi);
}

int FileOpener::reply_create(fuse_req_t req, const fuse_entry_param& entry, const OpenedFile&,
                             fuse_file_info& fi) noexcept {
    return fuse_reply_create(req, &entry, &fi);
}

void FileOpener::released(const OpenedFile&) noexcept {}

void FileOpener::forgotten(fuse_ino_t) noexcept {}

}  // namespace idshift::fusell

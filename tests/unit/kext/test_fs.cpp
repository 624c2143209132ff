#include "test_fs.hpp"

#include <fcntl.h>
#include <linux/capability.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <set>
#include <stdexcept>

#include "idshift/kext/fsetid_guard.hpp"
#include "idshift/kext/reply.hpp"
#include "mount_support.hpp"

namespace idshift::fusell::kext::test {
namespace {

constexpr auto kHangGuard = std::chrono::minutes(1);

std::string proc_path(int fd) {
    return "/proc/self/fd/" + std::to_string(fd);
}

// One open file: the backing fd and the open's slot in the backing registry.
struct OpenFile {
    int fd = -1;
    BackingLease lease;
    ~OpenFile() {
        if (fd >= 0) ::close(fd);
    }
};

OpenFile* handle(const fuse_file_info* fi) {
    return reinterpret_cast<OpenFile*>(fi->fh);
}

}  // namespace

struct TestFs::Impl {
    static TestFs& fs(fuse_req_t req) { return *static_cast<TestFs*>(fuse_req_userdata(req)); }

    static int node_fd(TestFs& fs, fuse_ino_t ino) {
        const std::lock_guard lock(fs.mutex_);
        return ino >= 1 && ino <= fs.nodes_.size() ? fs.nodes_[ino - 1].path_fd : -1;
    }

    // Looks `name` up in the backing directory and fills `e`; returns 0 or an errno.
    static int lookup_name(TestFs& fs, const char* name, fuse_entry_param& e) {
        const int fd = ::openat(fs.root_fd_, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) return errno;
        e = fuse_entry_param{};
        if (::fstat(fd, &e.attr) != 0) {
            const int err = errno;
            ::close(fd);
            return err;
        }
        const std::lock_guard lock(fs.mutex_);
        const auto [it, inserted] = fs.by_name_.try_emplace(name, fs.nodes_.size() + 1);
        if (inserted) {
            fs.nodes_.push_back(Node{name, fd});
        } else {
            ::close(fd);
        }
        e.ino = it->second;
        return 0;
    }

    static void init(void* userdata, fuse_conn_info* conn) {
        const auto& fs = *static_cast<TestFs*>(userdata);
        if (fs.config_.writeback_cache) conn->want |= FUSE_CAP_WRITEBACK_CACHE;
    }

    static void lookup(fuse_req_t req, fuse_ino_t parent, const char* name) {
        fuse_entry_param e{};
        const int err = parent == FUSE_ROOT_ID ? lookup_name(fs(req), name, e) : ENOTDIR;
        if (err != 0) {
            fuse_reply_err(req, err);
        } else {
            fuse_reply_entry(req, &e);
        }
    }

    static void forget(fuse_req_t req, fuse_ino_t ino, uint64_t /*nlookup*/) {
        fs(req).connection_.backing().forget(ino);
        fuse_reply_none(req);
    }

    static void getattr(fuse_req_t req, fuse_ino_t ino, fuse_file_info* /*fi*/) {
        struct stat st {};
        if (::fstat(node_fd(fs(req), ino), &st) != 0) {
            fuse_reply_err(req, errno);
            return;
        }
        fuse_reply_attr(req, &st, 0);
    }

    static int do_setattr(TestFs& fs, fuse_ino_t ino, const struct stat& attr, int to_set,
                          fuse_file_info* fi) {
        const int fd = node_fd(fs, ino);
        const std::string path = proc_path(fd);
        if ((to_set & FUSE_SET_ATTR_MODE) && ::chmod(path.c_str(), attr.st_mode & 07777) != 0) {
            return errno;
        }
        if (to_set & (FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID)) {
            const uid_t uid = (to_set & FUSE_SET_ATTR_UID) ? attr.st_uid : static_cast<uid_t>(-1);
            const gid_t gid = (to_set & FUSE_SET_ATTR_GID) ? attr.st_gid : static_cast<gid_t>(-1);
            if (::fchownat(fd, "", uid, gid, AT_EMPTY_PATH) != 0) return errno;
        }
        if (to_set & FUSE_SET_ATTR_SIZE) {
            // FATTR_KILL_SUIDGID arrives as FUSE_SET_ATTR_KILL_SUID under libfuse 3.14.
            std::optional<FsetidGuard> no_fsetid;
            if ((to_set & FUSE_SET_ATTR_KILL_SUID) && fs.config_.honour_kill_flags) {
                no_fsetid.emplace();
            }
            const int rc = fi != nullptr ? ::ftruncate(handle(fi)->fd, attr.st_size)
                                         : ::truncate(path.c_str(), attr.st_size);
            if (rc != 0) return errno;
        } else if ((to_set & FUSE_SET_ATTR_KILL_SUID) && fs.config_.honour_kill_flags) {
            // The kill alone (a passthrough write by a writer without CAP_FSETID): chown -1:-1
            // clears the bits whoever does it.
            if (::fchownat(fd, "", static_cast<uid_t>(-1), static_cast<gid_t>(-1), AT_EMPTY_PATH) !=
                0)
                return errno;
        }
        return 0;
    }

    static void setattr(fuse_req_t req, fuse_ino_t ino, struct stat* attr, int to_set,
                        fuse_file_info* fi) {
        TestFs& self = fs(req);
        {
            const std::lock_guard lock(self.mutex_);
            self.setattr_masks_.push_back(to_set);
        }
        const int err = do_setattr(self, ino, *attr, to_set, fi);
        if (err != 0) {
            fuse_reply_err(req, err);
            return;
        }
        getattr(req, ino, fi);
    }

    // Opens the backing file (without CAP_FSETID where the kernel asked for the kill), takes the
    // lease and replies. `e` is null for OPEN.
    static void open_and_reply(fuse_req_t req, const std::string& name, fuse_file_info* fi,
                               mode_t mode, const fuse_entry_param* e) {
        TestFs& self = fs(req);
        const bool kill = current_request().kill_suidgid;
        if (kill) ++self.kill_flag_requests;
        auto file = std::make_unique<OpenFile>();
        {
            std::optional<FsetidGuard> no_fsetid;
            if (kill && self.config_.honour_kill_flags) no_fsetid.emplace();
            file->fd =
                ::openat(self.root_fd_, name.c_str(), fi->flags | O_NOFOLLOW | O_CLOEXEC, mode);
        }
        if (file->fd < 0) {
            fuse_reply_err(req, errno);
            return;
        }
        const fuse_ino_t ino = self.ino_of(name);
        file->lease = self.connection_.backing().acquire(ino, file->fd);
        const int id = file->lease.backing_id();
        fi->fh = reinterpret_cast<std::uint64_t>(file.get());
        {
            const std::lock_guard lock(self.mutex_);
            self.open_ids_.push_back(id);
        }
        const int rc = e == nullptr ? reply_open(req, fi, id) : reply_create(req, e, fi, id);
        if (rc != 0) return;
        file.release();  // owned by the kernel's open file until RELEASE
        {
            const std::lock_guard lock(self.mutex_);
            ++self.opens_replied_;
        }
    }

    static void open(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
        TestFs& self = fs(req);
        std::string name;
        {
            const std::lock_guard lock(self.mutex_);
            if (ino >= 2 && ino <= self.nodes_.size()) name = self.nodes_[ino - 1].name;
        }
        if (name.empty()) {
            fuse_reply_err(req, EISDIR);
            return;
        }
        fi->flags &= ~O_CREAT;
        open_and_reply(req, name, fi, 0, nullptr);
    }

    static void create(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode,
                       fuse_file_info* fi) {
        if (parent != FUSE_ROOT_ID) {
            fuse_reply_err(req, ENOTDIR);
            return;
        }
        TestFs& self = fs(req);
        const int fd = ::openat(self.root_fd_, name, O_CREAT | O_WRONLY | O_CLOEXEC, mode);
        if (fd < 0) {
            fuse_reply_err(req, errno);
            return;
        }
        ::close(fd);
        fuse_entry_param e{};
        const int err = lookup_name(self, name, e);
        if (err != 0) {
            fuse_reply_err(req, err);
            return;
        }
        fi->flags &= ~(O_CREAT | O_EXCL);
        open_and_reply(req, name, fi, 0, &e);
    }

    static void read(fuse_req_t req, fuse_ino_t /*ino*/, size_t size, off_t off,
                     fuse_file_info* fi) {
        std::vector<char> buf(size);
        const ssize_t got = ::pread(handle(fi)->fd, buf.data(), size, off);
        if (got < 0) {
            fuse_reply_err(req, errno);
            return;
        }
        fuse_reply_buf(req, buf.data(), static_cast<size_t>(got));
    }

    static void write(fuse_req_t req, fuse_ino_t /*ino*/, const char* buf, size_t size, off_t off,
                      fuse_file_info* fi) {
        TestFs& self = fs(req);
        const bool kill = current_request().kill_suidgid;
        if (kill) ++self.kill_flag_requests;
        ssize_t done = 0;
        {
            std::optional<FsetidGuard> no_fsetid;
            if (kill && self.config_.honour_kill_flags) no_fsetid.emplace();
            done = ::pwrite(handle(fi)->fd, buf, size, off);
        }
        if (done < 0) {
            fuse_reply_err(req, errno);
            return;
        }
        fuse_reply_write(req, static_cast<size_t>(done));
    }

    static void flush(fuse_req_t req, fuse_ino_t /*ino*/, fuse_file_info* /*fi*/) {
        fuse_reply_err(req, 0);
    }

    static void fsync(fuse_req_t req, fuse_ino_t /*ino*/, int datasync, fuse_file_info* fi) {
        const int rc = datasync ? ::fdatasync(handle(fi)->fd) : ::fsync(handle(fi)->fd);
        fuse_reply_err(req, rc == 0 ? 0 : errno);
    }

    static void release(fuse_req_t req, fuse_ino_t /*ino*/, fuse_file_info* fi) {
        delete handle(fi);  // drops the lease: the last one closes the backing id
        TestFs& self = fs(req);
        {
            const std::lock_guard lock(self.mutex_);
            ++self.releases_;
        }
        self.changed_.notify_all();
        fuse_reply_err(req, 0);
    }

    static void getxattr(fuse_req_t req, fuse_ino_t ino, const char* name, size_t size) {
        TestFs& self = fs(req);
        if (std::strcmp(name, "security.capability") == 0) ++self.capability_getxattrs;
        std::vector<char> buf(size);
        const ssize_t got =
            ::getxattr(proc_path(node_fd(self, ino)).c_str(), name, buf.data(), size);
        if (got < 0) {
            fuse_reply_err(req, errno);
        } else if (size == 0) {
            fuse_reply_xattr(req, static_cast<size_t>(got));
        } else {
            fuse_reply_buf(req, buf.data(), static_cast<size_t>(got));
        }
    }

    static fuse_lowlevel_ops operations() {
        fuse_lowlevel_ops ops{};
        ops.create = create;
        ops.flush = flush;
        ops.forget = forget;
        ops.fsync = fsync;
        ops.getattr = getattr;
        ops.getxattr = getxattr;
        ops.init = init;
        ops.lookup = lookup;
        ops.open = open;
        ops.read = read;
        ops.release = release;
        ops.setattr = setattr;
        ops.write = write;
        return ops;
    }
};

TestFs::TestFs(const std::string& backing_dir, const std::string& mountpoint, TestFsConfig config)
    : config_(std::move(config)), mountpoint_(mountpoint), connection_(config_.kext) {
    root_fd_ = ::open(backing_dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root_fd_ < 0) throw std::runtime_error("cannot open " + backing_dir);
    nodes_.push_back(Node{"", root_fd_});
    try {
        start();
    } catch (...) {
        stop();
        throw;
    }
}

void TestFs::start() {
    std::string mount_options = "allow_other,fsname=kexttest,subtype=kexttest";
    if (config_.kext.default_permissions) mount_options += ",default_permissions";
    std::vector<std::string> argv_storage = {"kext_testfs", "-o", mount_options};
    std::vector<char*> argv;
    for (std::string& arg : argv_storage)
        argv.push_back(arg.data());
    fuse_args args = FUSE_ARGS_INIT(static_cast<int>(argv.size()), argv.data());
    const fuse_lowlevel_ops ops = Impl::operations();
    session_ = fuse_session_new(&args, &ops, sizeof(ops), this);
    fuse_opt_free_args(&args);
    if (session_ == nullptr) throw std::runtime_error("fuse_session_new failed");
    if (fuse_session_mount(session_, mountpoint_.c_str()) != 0) {
        throw std::runtime_error("fuse_session_mount failed");
    }
    mounted_ = true;
    connection_.set_negotiated_callback([this](const Status&) {
        {
            const std::lock_guard lock(mutex_);
            negotiated_ = true;
        }
        changed_.notify_all();
    });
    if (connection_.attach(session_) != 0) throw std::runtime_error("kext attach failed");

    loop_ = std::thread([this] {
        // A refusal shows up in the test as passthrough left on.
        if (config_.without_cap_sys_admin) (void)drop_cap_sys_admin();
        fuse_loop_config* loop_config = fuse_loop_cfg_create();
        fuse_loop_cfg_set_clone_fd(loop_config, 1);
        fuse_loop_cfg_set_max_threads(loop_config, 8);
        fuse_session_loop_mt(session_, loop_config);
        fuse_loop_cfg_destroy(loop_config);
    });
    std::unique_lock lock(mutex_);
    if (!changed_.wait_for(lock, kHangGuard, [this] { return negotiated_; })) {
        throw std::runtime_error("INIT was not negotiated");
    }
}

void TestFs::stop() noexcept {
    {
        // RELEASE is asynchronous to close(2), and the kernel drops the ones still queued when the
        // mount goes away: wait for them so every handle (and lease) is freed.
        std::unique_lock lock(mutex_);
        changed_.wait_for(lock, kHangGuard, [this] { return releases_ >= opens_replied_; });
    }
    // The kernel aborts the connection when the mount goes away; the loop then returns.
    if (mounted_ && ::umount2(mountpoint_.c_str(), 0) != 0) {
        ::umount2(mountpoint_.c_str(), MNT_DETACH);
    }
    if (loop_.joinable()) loop_.join();
    if (session_ != nullptr) {
        fuse_session_unmount(session_);
        fuse_session_destroy(session_);
        session_ = nullptr;
    }
    for (const Node& node : nodes_)
        ::close(node.path_fd);
    nodes_.clear();
}

TestFs::~TestFs() {
    stop();
}

bool TestFs::wait_releases(std::uint64_t count) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kHangGuard, [&] { return releases_ >= count; });
}

std::vector<int> TestFs::open_backing_ids() const {
    const std::lock_guard lock(mutex_);
    return open_ids_;
}

std::vector<int> TestFs::setattr_masks() const {
    const std::lock_guard lock(mutex_);
    return setattr_masks_;
}

fuse_ino_t TestFs::ino_of(const std::string& name) const {
    const std::lock_guard lock(mutex_);
    const auto it = by_name_.find(name);
    return it == by_name_.end() ? 0 : it->second;
}

}  // namespace idshift::fusell::kext::test

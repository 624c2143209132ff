#include "idshift/fusell/session.hpp"

#include <spdlog/spdlog.h>

#include <memory>

#include "idshift/fusell/operations.hpp"

namespace idshift::fusell {
namespace {

// fuse_opt splits -o on commas; a backslash escapes the next character.
std::string escape_option_value(const std::string& value) {
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        if (c == ',' || c == '\\') out.push_back('\\');
        out.push_back(c);
    }
    return out;
}

struct LoopConfigDeleter {
    void operator()(fuse_loop_config* config) const noexcept { fuse_loop_cfg_destroy(config); }
};

}  // namespace

std::string MountOptions::to_option_string() const {
    std::string out = "default_permissions";
    auto add = [&out](const std::string& option) {
        out += ',';
        out += option;
    };
    if (allow_other) add("allow_other");
    if (!fsname.empty()) add("fsname=" + escape_option_value(fsname));
    if (!subtype.empty()) add("subtype=" + escape_option_value(subtype));
    if (read_only) add("ro");
    if (dev) add("dev");
    for (const auto& flag : flags)
        add(flag);
    return out;
}

Session::Session(Filesystem& fs, const MountOptions& options) {
    const std::string option_string = options.to_option_string();
    std::vector<std::string> argv_storage{"idshift", "-o", option_string};
    if (options.debug) argv_storage.emplace_back("-d");
    std::vector<char*> argv;
    for (auto& arg : argv_storage)
        argv.push_back(arg.data());
    argv.push_back(nullptr);
    fuse_args args = FUSE_ARGS_INIT(static_cast<int>(argv.size() - 1), argv.data());
    const fuse_lowlevel_ops& ops = operations();
    session_ = fuse_session_new(&args, &ops, sizeof(ops), &fs);
    fuse_opt_free_args(&args);
    if (session_ == nullptr) {
        throw SessionError("libfuse refused the mount options: " + option_string);
    }
}

Session::~Session() {
    if (signals_) fuse_remove_signal_handlers(session_);
    if (mounted_) fuse_session_unmount(session_);
    fuse_session_destroy(session_);
}

void Session::mount(const std::string& mountpoint) {
    if (fuse_session_mount(session_, mountpoint.c_str()) != 0) {
        throw SessionError("cannot mount on " + mountpoint);
    }
    mounted_ = true;
}

void Session::install_signal_handlers() {
    if (fuse_set_signal_handlers(session_) != 0) {
        throw SessionError("cannot install signal handlers");
    }
    signals_ = true;
}

int Session::loop(unsigned max_threads, bool clone_fd) {
    std::unique_ptr<fuse_loop_config, LoopConfigDeleter> config(fuse_loop_cfg_create());
    if (!config) throw std::bad_alloc();
    fuse_loop_cfg_set_clone_fd(config.get(), clone_fd ? 1 : 0);
    if (max_threads > 0) fuse_loop_cfg_set_max_threads(config.get(), max_threads);
    return fuse_session_loop_mt(session_, config.get());
}

void Session::exit() noexcept {
    fuse_session_exit(session_);
}

int Session::invalidate_attributes(fuse_ino_t ino) noexcept {
    // A negative offset invalidates attributes only; the kernel drops cached ACLs with them.
    return fuse_lowlevel_notify_inval_inode(session_, ino, -1, 0);
}

}  // namespace idshift::fusell

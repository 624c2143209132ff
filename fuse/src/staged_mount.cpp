#include "idshift/fusell/staged_mount.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>

#include "idshift/fusell/staged_root.hpp"
#include "idshift/sys/errno.hpp"
#include "mountinfo.hpp"

namespace idshift::fusell {
namespace {

class Configurator {
  public:
    explicit Configurator(int fs_fd) : fs_fd_(fs_fd) {}

    bool string(const char* key, const std::string& value) {
        return apply(FSCONFIG_SET_STRING, key, value.c_str(), key);
    }
    bool flag(const char* key) { return apply(FSCONFIG_SET_FLAG, key, nullptr, key); }
    bool create() { return apply(FSCONFIG_CMD_CREATE, nullptr, nullptr, "create"); }

    MountStepError error() const { return {error_, "fsconfig(" + step_ + ")"}; }

  private:
    bool apply(unsigned command, const char* key, const char* value, const char* step) {
        if (sys::fsconfig(fs_fd_, command, key, value, 0) == 0) return true;
        error_ = errno;
        step_ = step;
        return false;
    }

    int fs_fd_;
    int error_ = 0;
    std::string step_;
};

}  // namespace

std::string MountStepError::describe() const {
    return step + ": " + std::strerror(error);
}

std::variant<DetachedFuse, MountStepError> make_detached_fuse(const StagedMountRequest& request) {
    DetachedFuse made;
    made.device = sys::UniqueFd(::open("/dev/fuse", O_RDWR | O_CLOEXEC));
    if (!made.device) return MountStepError{errno, "open(/dev/fuse)"};
    const sys::UniqueFd fs(sys::fsopen("fuse", FSOPEN_CLOEXEC));
    if (!fs) return MountStepError{errno, "fsopen(fuse)"};
    Configurator config(fs.get());
    std::ostringstream root_mode;
    root_mode << std::oct << (S_IFDIR | 0700);
    const bool configured =
        config.string("source", request.source) &&
        (request.subtype.empty() || config.string("subtype", request.subtype)) &&
        config.string("fd", std::to_string(made.device.get())) &&
        config.string("rootmode", root_mode.str()) &&
        config.string("user_id", std::to_string(::getuid())) &&
        config.string("group_id", std::to_string(::getgid())) &&
        config.flag("default_permissions") &&
        (!request.allow_other || config.flag("allow_other")) &&
        (!request.flags.read_only || config.flag("ro")) && (!request.sync || config.flag("sync")) &&
        (!request.dirsync || config.flag("dirsync")) && config.create();
    if (!configured) return config.error();
    made.mount = sys::UniqueFd(sys::fsmount(fs.get(), FSMOUNT_CLOEXEC, 0));
    if (!made.mount) return MountStepError{errno, "fsmount"};
    return made;
}

std::variant<AttachedVolume, MountStepError> attach_volume(int detached, int target,
                                                           const StagedMountRequest& request) {
    const sys::UniqueFd tree(
        sys::open_tree(detached, kStagedVolumeName, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC));
    if (!tree) return MountStepError{errno, std::string("open_tree(") + kStagedVolumeName + ")"};
    mount_attr attributes = sys::mount_attributes(request.flags);
    if ((attributes.attr_set | attributes.attr_clr) != 0 &&
        sys::mount_setattr(tree.get(), "", AT_EMPTY_PATH, &attributes) != 0) {
        return MountStepError{errno, "mount_setattr"};
    }
    struct statx stx {};
    if (::statx(tree.get(), "", AT_EMPTY_PATH, STATX_MNT_ID, &stx) != 0)
        return MountStepError{errno, "statx(STATX_MNT_ID)"};
    if ((stx.stx_mask & STATX_MNT_ID) == 0) return MountStepError{ENOSYS, "statx(STATX_MNT_ID)"};
    if (sys::move_mount(tree.get(), "", target, "",
                        MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0) {
        return MountStepError{errno, "move_mount"};
    }
    return AttachedVolume{stx.stx_mnt_id};
}

int detach_volume(std::uint64_t mount_id) {
    const auto line =
        find_mount([mount_id](const MountInfoLine& mount) { return mount.id == mount_id; });
    if (!line) return ENOENT;
    return sys::errno_of(::umount2(line->mount_point.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW));
}

}  // namespace idshift::fusell

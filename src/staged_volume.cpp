#include "staged_volume.hpp"

#include <fcntl.h>

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>
#include <system_error>
#include <thread>
#include <variant>

#include "kernel_backend.hpp"

namespace idshift::daemon {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitMount = 2;

fusell::StagedMountRequest request_for(const Config& config) {
    fusell::StagedMountRequest request;
    request.source = config.mount.fsname.empty() ? config.source : config.mount.fsname;
    request.subtype = config.mount.subtype;
    request.allow_other = config.mount.allow_other;
    // Later words win, as mount(8) reads them.
    for (const std::string& word : config.mount.flags) {
        if (word == "sync" || word == "async") request.sync = word == "sync";
        if (word == "dirsync") request.dirsync = true;
    }
    request.flags = kernel_mount_flags(config);
    return request;
}

}  // namespace

std::optional<StagedVolume> StagedVolume::prepare(const Config& config) {
    auto state = std::make_shared<State>();
    state->target =
        sys::UniqueFd(::open(config.mountpoint.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!state->target)
        throw std::system_error(errno, std::generic_category(), "mount point " + config.mountpoint);
    state->request = request_for(config);
    auto made = fusell::make_detached_fuse(state->request);
    if (auto* failed = std::get_if<fusell::MountStepError>(&made)) {
        spdlog::info(
            "mounting the FUSE root itself ({}): every path walk by a caller who does not own "
            "the volume root costs one more request",
            failed->describe());
        return std::nullopt;
    }
    state->fuse = std::move(std::get<fusell::DetachedFuse>(made));
    return StagedVolume(std::move(state));
}

std::string StagedVolume::take_device_path() {
    return "/dev/fd/" + std::to_string(state_->fuse.device.release());
}

void StagedVolume::start_attach(Background background, const Config& config) {
    std::thread([state = state_, background = std::move(background), source = config.source,
                 mountpoint = config.mountpoint]() mutable {
        auto result =
            fusell::attach_volume(state->fuse.mount.get(), state->target.get(), state->request);
        if (const auto* attached = std::get_if<fusell::AttachedVolume>(&result)) {
            state->mount_id = attached->mount_id;
            // The staging mount is not needed once its clone is in place.
            state->fuse.mount.reset();
            state->target.reset();
            spdlog::info("{} mounted on {}", source, mountpoint);
            background.ready(kExitOk);
            return;
        }
        state->failed = true;
        spdlog::error("cannot attach the volume on {}: {}", mountpoint,
                      std::get<fusell::MountStepError>(result).describe());
        background.ready(kExitMount);
        // Last: closing the staging mount takes the superblock down, which ends the loop, and
        // the daemon exits soon after.
        state->fuse.mount.reset();
        state->target.reset();
    }).detach();
}

void StagedVolume::detach(const std::string& mountpoint) const {
    const std::uint64_t id = state_->mount_id;
    if (id == 0) return;
    if (const int e = fusell::detach_volume(id); e != 0 && e != ENOENT)
        spdlog::warn("cannot unmount {}: {}", mountpoint, std::strerror(e));
}

}  // namespace idshift::daemon

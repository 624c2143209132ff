#pragma once
// The daemon's side of a staged mount (fusell/staged_root.hpp): the detached superblock made
// before the session, the volume attached by a thread once the session serves, and detached again
// at SIGTERM (libfuse knows no mount point to unmount).
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "background.hpp"
#include "config.hpp"
#include "idshift/fusell/staged_mount.hpp"

namespace idshift::daemon {

class StagedVolume {
  public:
    // The superblock, made detached; nullopt (with a log line saying why) when the kernel cannot,
    // and the mount is then made the classic way. Throws std::system_error when the mount point
    // cannot be opened.
    static std::optional<StagedVolume> prepare(const Config& config);

    // "/dev/fd/N" for Session::mount: libfuse takes the /dev/fuse fd over and closes it.
    std::string take_device_path();

    // Starts the thread that attaches the volume on the mount point, as soon as the session
    // serves. It reports the outcome to `background`, which it keeps. On failure the superblock
    // goes with the last fd of its detached mount, and with it the session's loop.
    void start_attach(Background background, const Config& config);

    // Whether the attach failed (the daemon then exits with a mount failure).
    bool attach_failed() const noexcept { return state_->failed; }

    // Detaches the volume from wherever it is mounted now, if it still is; for SIGTERM.
    void detach(const std::string& mountpoint) const;

  private:
    struct State {
        fusell::StagedMountRequest request;
        fusell::DetachedFuse fuse;
        sys::UniqueFd target;
        std::atomic<std::uint64_t> mount_id{0};
        std::atomic<bool> failed{false};
    };
    explicit StagedVolume(std::shared_ptr<State> state) : state_(std::move(state)) {}
    std::shared_ptr<State> state_;  // shared with the attach thread, which may outlive a failure
};

}  // namespace idshift::daemon

#pragma once
// SIGHUP reloads the map file: the new map replaces the old one atomically, or, when it has
// errors, every error is logged and the old map keeps serving.
#include <functional>
#include <string>
#include <thread>

#include "idshift/idmap/map_file.hpp"
#include "idshift/idmap/map_file_trust.hpp"
#include "idshift/idmap/map_holder.hpp"
#include "idshift/idmap/name_resolver.hpp"
#include "idshift/sys/unique_fd.hpp"

namespace idshift::daemon {

// Loads `map_file` and, when it has no error, swaps it into `maps`. Returns the load's errors
// (empty when the map was replaced); each is also logged as FILE:LINE: message.
idmap::ParseErrors reload_map(const std::string& map_file, idmap::MapHolder& maps,
                              const idmap::NameResolver& storage_names,
                              idmap::FileTrust trust = idmap::FileTrust::checked);

// A thread that waits for SIGHUP and runs `on_sighup` for each one, away from signal-handler
// context. Construct it only after prepare_signals() and before any thread that must not see
// SIGHUP exists.
class SighupThread {
  public:
    // Blocks SIGHUP in the calling thread (threads started later inherit the mask) and gives it
    // a do-nothing handler, so that libfuse's fuse_set_signal_handlers leaves it alone (it only
    // takes over signals whose action is the default, and would unmount on SIGHUP).
    static void prepare_signals();

    explicit SighupThread(std::function<void()> on_sighup);
    ~SighupThread();  // stops the thread and waits for it
    SighupThread(const SighupThread&) = delete;
    SighupThread& operator=(const SighupThread&) = delete;

  private:
    void run() noexcept;

    std::function<void()> on_sighup_;
    sys::UniqueFd signal_fd_;
    sys::UniqueFd stop_fd_;
    std::thread thread_;
};

}  // namespace idshift::daemon

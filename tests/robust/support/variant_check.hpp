#pragma once
// Proof that a mount runs the data-path variant a suite was registered for. A variant that
// silently ran the default configuration would pass every check of the suite, so each one is
// confirmed on the running daemon before the suite starts.
#include <filesystem>
#include <functional>
#include <string>

namespace idshift::robust {

// Throws std::runtime_error unless the daemon serving `mountpoint` shows `variant`:
//  - "nopassthrough": its log says the data path goes through the daemon, disabled by option.
//  - "nocache": attributes are not cached (a size changed on `backing` behind the daemon's back
//    reads through the mount at once; with cache=auto the old size would be kept for 1 s).
//  - "": nothing to prove.
// The probe file it uses on `backing` is gone again when it returns.
void verify_variant(const std::string& variant, const std::filesystem::path& backing,
                    const std::filesystem::path& mountpoint,
                    const std::function<std::string()>& log_text);

}  // namespace idshift::robust

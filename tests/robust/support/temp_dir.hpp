#pragma once
// A private directory under $TMPDIR (default /tmp), removed with everything in it on
// destruction, unless something is still mounted below it (then it is left, and said so).
#include <sys/types.h>

#include <filesystem>
#include <string_view>

namespace idshift::robust {

class TempDir {
  public:
    explicit TempDir(std::string_view tag);
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const { return path_; }
    // Creates path()/name with exactly `mode` (umask ignored) and returns it.
    std::filesystem::path make_dir(std::string_view name, mode_t mode = 0755) const;

  private:
    std::filesystem::path path_;
};

}  // namespace idshift::robust

#pragma once
// A private directory under /tmp, removed with everything in it when the owner goes away.
#include <string>
#include <string_view>

namespace idshift::itest {

class TempDir {
  public:
    // Creates /tmp/<prefix>XXXXXX, mode 0755 so that non-root callers can reach what is inside.
    explicit TempDir(std::string_view prefix);
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir();

    const std::string& path() const noexcept { return path_; }
    // path() + "/" + relative; an empty `relative` gives path().
    std::string at(std::string_view relative) const;

  private:
    std::string path_;
};

// Removes `path` and everything below it without following symlinks and without crossing into
// another mount (a mount left behind by a failed test must not be emptied through it).
void remove_tree(const std::string& path) noexcept;

}  // namespace idshift::itest

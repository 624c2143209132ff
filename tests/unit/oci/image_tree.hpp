#pragma once
// A scratch directory laid out like an unpacked image (or a storage's user database), removed
// when the test ends.
#include <string>

namespace idshift::oci::test {

class ImageTree {
  public:
    ImageTree();
    ~ImageTree();
    ImageTree(const ImageTree&) = delete;
    ImageTree& operator=(const ImageTree&) = delete;

    const std::string& root() const noexcept { return root_; }
    // Writes ROOT/RELATIVE (parents created) with `text`; returns the full path.
    std::string write(const std::string& relative, const std::string& text) const;
    // Creates ROOT/RELATIVE as a symlink to `target`.
    void symlink(const std::string& relative, const std::string& target) const;

  private:
    std::string root_;
};

}  // namespace idshift::oci::test

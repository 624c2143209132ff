#include "image_tree.hpp"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace idshift::oci::test {

ImageTree::ImageTree() {
    std::string pattern = (std::filesystem::temp_directory_path() / "idshift-oci.XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    root_ = pattern;
}

ImageTree::~ImageTree() {
    std::error_code ignored;
    std::filesystem::remove_all(root_, ignored);
}

std::string ImageTree::write(const std::string& relative, const std::string& text) const {
    const std::filesystem::path path = std::filesystem::path(root_) / relative;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path) << text;
    return path.string();
}

void ImageTree::symlink(const std::string& relative, const std::string& target) const {
    const std::filesystem::path path = std::filesystem::path(root_) / relative;
    std::filesystem::create_directories(path.parent_path());
    std::filesystem::create_symlink(target, path);
}

}  // namespace idshift::oci::test
